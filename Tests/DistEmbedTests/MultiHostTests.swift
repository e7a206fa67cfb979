import Foundation
import Testing

/// Coordinator and workers on separate "hosts" (network namespaces joined by veth pairs, no shared memory), with
/// one fault mid-run (`Tests/Tools/multihost.sh`): every run must end with the weights of `train --local`, whether
/// the coordinator reduces (star) or the workers do among themselves (sharded). Needs root and iproute2; skips,
/// saying why, where namespaces cannot be made.
@Suite(.serialized) struct MultiHostTests {
    static let overrides = ["--set", "dataset.trainLimit=2000", "--set", "training.epochs=4", "--set",
                            "dataset.testLimit=200"]
    /// 756 steps: long enough for a fault at step 40, or after the first epoch's checkpoint, to land mid-run.
    static let longer = overrides.map { $0 == "training.epochs=4" ? "training.epochs=12" : $0 }
    static let undisturbedLonger: Result<String, Error> = Result {
        try DistributedTrainingTests.hash(["train", DistributedTrainingTests.spec, "--local", "--json"] + longer)
    }

    /// The result JSON of `multihost.sh` with `fault`, `workers` and `reduction`, or nil when it skipped.
    func run(
        _ fault: String, workers: Int, overrides: [String], reduction: String = "star"
    ) throws -> (result: [String: Any], log: String)? {
        let script = DistributedTrainingTests.repositoryRoot + "/Tests/Tools/multihost.sh"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.environment = ProcessInfo.processInfo.environment.merging(["MULTIHOST_REDUCTION": reduction]) { $1 }
        process.arguments = [script, Binary.url.path, DistributedTrainingTests.spec, fault, "\(workers)"] + overrides
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        errDone.wait()
        let stderr = String(decoding: errData, as: UTF8.self)
        if process.terminationStatus == 77 {
            print("MultiHostTests skipped: \(stderr)")
            return nil
        }
        #expect(process.terminationStatus == 0, "\(stderr)")
        let last = stdout.split(separator: "\n").last.map(String.init) ?? ""
        let result = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
                                  "no result: \(stderr)")
        // Every step's results carried their weights' digest across the network, and none differed.
        #expect((result["events"] as? [String: Any])?["replicaMismatches"] as? Int == 0, "\(stderr)")
        return (result, stderr)
    }

    @Test func cutLinkChangesNothing() throws {
        guard case let (result, log)? = try run("cut", workers: 2, overrides: Self.overrides) else { return }
        let local = try DistributedTrainingTests.hash(["train", DistributedTrainingTests.spec, "--local", "--json"]
                                                      + Self.overrides)
        #expect(result["weightsSha256"] as? String == local)
        let events = try #require(result["events"] as? [String: Any])
        #expect((events["workersLost"] as? Int ?? 0) >= 1, "\(log)")
    }

    /// 1 to 4 workers on hosts of their own; the first is killed mid-step and started again.
    @Test(arguments: 1...4) func killedWorkerChangesNothing(workers: Int) throws {
        try expectUndisturbedWeights(after: "kill", workers: workers, event: "workersLost") { $0 >= 1 }
    }

    /// 1 to 4 workers on hosts of their own, and one more joins mid-run from another.
    @Test(arguments: 1...4) func joiningWorkerChangesNothing(workers: Int) throws {
        try expectUndisturbedWeights(after: "join", workers: workers, event: "workersJoined") { $0 >= 1 }
    }

    /// 1 to 4 workers on hosts of their own; the coordinator is killed after a checkpoint and started again.
    @Test(arguments: 1...4) func restartedCoordinatorChangesNothing(workers: Int) throws {
        try expectUndisturbedWeights(after: "restart", workers: workers, event: "resumes") { $0 == 1 }
    }

    /// The same faults with the workers reducing among themselves: each fault ends or re-forms the group (a lost
    /// member rolls it back to its last gathered state), and the bits are those of `train --local`.
    @Test(arguments: 2...4) func killedWorkerChangesNothingSharded(workers: Int) throws {
        try expectUndisturbedWeights(
            after: "kill", workers: workers, reduction: "sharded", event: "workersLost", logs: "rolled back"
        ) { $0 >= 1 }
    }

    @Test(arguments: 2...3) func joiningWorkerChangesNothingSharded(workers: Int) throws {
        try expectUndisturbedWeights(after: "join", workers: workers, reduction: "sharded", event: "workersJoined") {
            $0 >= 1
        }
    }

    @Test(arguments: 2...3) func restartedCoordinatorChangesNothingSharded(workers: Int) throws {
        try expectUndisturbedWeights(after: "restart", workers: workers, reduction: "sharded", event: "resumes") {
            $0 == 1
        }
    }

    @Test func cutLinkChangesNothingSharded() throws {
        try expectUndisturbedWeights(after: "cut", workers: 3, reduction: "sharded", event: "workersLost") { $0 >= 1 }
    }

    /// Runs `fault` (Tests/Tools/multihost.sh) on `workers` hosts and expects the undisturbed run's weights, and the
    /// result's count of `event` to say the fault happened; sharded, a group formed (and, where given, the
    /// coordinator's log says `logs` too).
    private func expectUndisturbedWeights(
        after fault: String, workers: Int, reduction: String = "star", event: String, logs: String? = nil,
        happened: (Int) -> Bool
    ) throws {
        let expected = try Self.undisturbedLonger.get()
        guard case let (result, log)? = try run(fault, workers: workers, overrides: Self.longer, reduction: reduction)
        else { return }
        #expect(result["weightsSha256"] as? String == expected, "\(log)")
        let events = try #require(result["events"] as? [String: Any])
        #expect(happened(events[event] as? Int ?? 0), "\(event): \(log)")
        #expect(log.contains("sharded group formed") == (reduction == "sharded"), "\(log)")
        #expect((events["shardedGroups"] as? Int ?? 0 >= 1) == (reduction == "sharded"), "\(events)")
        if let logs { #expect(log.contains(logs), "\(log)") }
    }
}
