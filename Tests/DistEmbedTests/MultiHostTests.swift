import Foundation
import Testing

/// Coordinator and workers on separate "hosts" (network namespaces joined by veth pairs); one worker's link is
/// cut mid-run. Needs root and iproute2; skips, saying why, where namespaces cannot be made.
@Suite(.serialized) struct MultiHostTests {
    @Test func cutLinkChangesNothing() throws {
        let overrides = ["--set", "dataset.trainLimit=2000", "--set", "training.epochs=4", "--set",
                         "dataset.testLimit=200"]
        let script = DistributedTrainingTests.repositoryRoot + "/Tests/Tools/multihost.sh"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, Binary.url.path, DistributedTrainingTests.spec] + overrides
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 77 {
            print("MultiHostTests skipped: \(stderr)")
            return
        }
        #expect(process.terminationStatus == 0, "\(stderr)")
        let last = stdout.split(separator: "\n").last.map(String.init) ?? ""
        let result = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
                                  "no result: \(stderr)")
        let local = try DistributedTrainingTests.hash(["train", DistributedTrainingTests.spec, "--local", "--json"]
                                                      + overrides)
        #expect(result["weightsSha256"] as? String == local)
        let events = try #require(result["events"] as? [String: Any])
        #expect((events["workersLost"] as? Int ?? 0) >= 1, "\(stderr)")
    }
}
