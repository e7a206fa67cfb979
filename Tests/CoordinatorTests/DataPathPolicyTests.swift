import Coordinator
import Foundation
import Testing

@Suite struct DataPathPolicyTests {
    /// A temporary tree: `allowed/data`, `other`, and symlinks `allowed/escape -> other` and
    /// `allowed/inside -> allowed/data`.
    final class Tree {
        let root: String
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("de-paths-\(UUID().uuidString)").path
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/allowed/data", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: root + "/allowed2", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: root + "/allowed/escape", withDestinationPath: root + "/other")
            try fm.createSymbolicLink(atPath: root + "/allowed/inside", withDestinationPath: root + "/allowed/data")
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func pathsInsideAnAllowedDirectoryPass() throws {
        let tree = try Tree()
        let allowed = [tree.root + "/allowed"]
        #expect(DataPathPolicy.problem(path: tree.root + "/allowed", allowed: allowed) == nil)
        #expect(DataPathPolicy.problem(path: tree.root + "/allowed/data", allowed: allowed) == nil)
        #expect(DataPathPolicy.problem(path: tree.root + "/allowed/inside", allowed: allowed) == nil)
        #expect(DataPathPolicy.problem(path: tree.root + "/other/../allowed/data/.", allowed: allowed) == nil)
    }

    @Test func pathsThatResolveOutsideOrDoNotExistAreRefusedAlikeNamingTheFieldAndTheDirectories() throws {
        let tree = try Tree()
        let allowed = [tree.root + "/allowed", "/nonexistent/dir"]
        for path in [tree.root + "/other", tree.root + "/allowed/escape", tree.root + "/allowed/../other",
                     tree.root + "/allowed2", "/etc", "/"] {
            let problem = try #require(DataPathPolicy.problem(path: path, allowed: allowed), "\(path) passed")
            #expect(problem.hasPrefix("dataset.path: "))
            #expect(problem.contains(tree.root + "/allowed") && problem.contains("/nonexistent/dir"))
            #expect(problem.contains("--data-dir"))
        }
        // The answer must not tell a client which paths exist on the coordinator's host.
        let missing = try #require(DataPathPolicy.problem(path: tree.root + "/nope", allowed: allowed))
        let outside = try #require(DataPathPolicy.problem(path: tree.root + "/other", allowed: allowed))
        #expect(missing.replacingOccurrences(of: tree.root + "/nope", with: "P")
            == outside.replacingOccurrences(of: tree.root + "/other", with: "P"))
    }

    @Test func eachAllowedDirectoryIsListedOnce() throws {
        let tree = try Tree()
        let problem = try #require(DataPathPolicy.problem(
            path: "/etc", allowed: [tree.root + "/allowed", "./data", tree.root + "/allowed"]))
        #expect(problem.components(separatedBy: tree.root + "/allowed").count == 2, "\(problem)")
    }

    @Test func prefixesMatchWholeComponents() {
        #expect(DataPathPolicy.isInside("/data", "/data"))
        #expect(DataPathPolicy.isInside("/data/x", "/data/"))
        #expect(!DataPathPolicy.isInside("/data2", "/data"))
        #expect(DataPathPolicy.isInside("/anything", "/"))
    }

    @Test func aSymlinkedAllowedDirectoryIsResolvedToo() throws {
        let tree = try Tree()
        try FileManager.default.createSymbolicLink(atPath: tree.root + "/link", withDestinationPath: tree.root + "/allowed")
        #expect(DataPathPolicy.problem(path: tree.root + "/allowed/data", allowed: [tree.root + "/link"]) == nil)
        #expect(DataPathPolicy.problem(path: tree.root + "/other", allowed: [tree.root + "/link"]) != nil)
    }
}
