import Foundation
import Testing

/// `scripts/validate-deploy.sh` checks deploy/ (Compose, Kubernetes, systemd, Dockerfile) with the tools the
/// machine has, skipping the rest; these tests hold it to a clean run and to failing on a real problem.
@Suite struct DeployTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        var status: Int32
        var output: String
        var summary: String {
            output.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// Runs `bash SCRIPT` and returns its exit status and its stdout and stderr together.
    static func run(script: URL) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func isSummary(_ line: String, failed: Int) -> Bool {
        line.wholeMatch(of: /deploy: \d+ passed, (\d+) failed, \d+ skipped/).map { Int($0.1) == failed } ?? false
    }

    @Test func deployFilesValidate() throws {
        let result = try Self.run(script: Self.repositoryRoot.appendingPathComponent("scripts/validate-deploy.sh"))
        #expect(result.status == 0, "validate-deploy.sh failed:\n\(result.output)")
        #expect(Self.isSummary(result.summary, failed: 0), "unexpected summary line:\n\(result.output)")
    }

    /// A copy of the script and deploy/ with deploy/keys/.gitignore emptied (a check that needs no tool):
    /// the script must say so and exit non-zero.
    @Test func brokenDeployFilesFail() throws {
        let files = FileManager.default
        let copy = files.temporaryDirectory.appendingPathComponent("deploy-tests-\(UUID().uuidString)")
        defer { try? files.removeItem(at: copy) }
        try files.createDirectory(at: copy.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try files.copyItem(at: Self.repositoryRoot.appendingPathComponent("scripts/validate-deploy.sh"),
                           to: copy.appendingPathComponent("scripts/validate-deploy.sh"))
        // deploy/ without the keys someone may have made in the working tree, and with the keys' .gitignore broken.
        let deploy = Self.repositoryRoot.appendingPathComponent("deploy")
        let keys = copy.appendingPathComponent("deploy/keys")
        try files.createDirectory(at: keys, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: deploy.path) where name != "keys" {
            try files.copyItem(at: deploy.appendingPathComponent(name), to: copy.appendingPathComponent("deploy/\(name)"))
        }
        try files.copyItem(at: deploy.appendingPathComponent("keys/kustomization.yaml"),
                           to: keys.appendingPathComponent("kustomization.yaml"))
        try Data().write(to: keys.appendingPathComponent(".gitignore"))
        // What the Dockerfile copies from the build context, so that check passes.
        for name in ["Sources", "Tests", "experiments"] {
            try files.createDirectory(at: copy.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try Data().write(to: copy.appendingPathComponent("Package.swift"))

        let result = try Self.run(script: copy.appendingPathComponent("scripts/validate-deploy.sh"))
        #expect(result.status != 0, "validate-deploy.sh passed a broken deploy/keys/.gitignore:\n\(result.output)")
        #expect(Self.isSummary(result.summary, failed: 1), "unexpected summary line:\n\(result.output)")
        #expect(result.output.contains("FAIL  keys:"))
    }
}
