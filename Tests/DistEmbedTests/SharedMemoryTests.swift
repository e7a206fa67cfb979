import Foundation
import Testing

/// Workers on the coordinator's host take their weights from and put their gradients into shared memory; the
/// weights are those of messages and of `train --local`, whichever workers use it (the run's shared weights or a
/// copy in their own segment), and nothing is left in `/dev/shm`.
@Suite(.serialized) struct SharedMemoryTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    /// The names this process's children left in `/dev/shm` (segments are named after the coordinator's pid).
    static func segments(of pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/dev/shm").filter { $0.hasPrefix("distembed-\(pid)-") }
    }

    @Test func sharedMemoryAndMessagesGiveTheLocalWeights() throws {
        let local = try DistributedTrainingTests.localHash.get()
        for (flags, phrase) in [([String](), "shared memory for 2 of 2 workers, results included"),
                                (["--no-shared-memory"], "shared memory for 0 of 2 workers")] {
            let output = try Binary.run(["run", Self.spec, "--workers", "2", "--json"] + flags + Self.short)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stderr.contains(phrase), "\(flags): \(output.stderr)")
            #expect(try Binary.json(output)["weightsSha256"] as? String == local, "\(flags)")
        }
    }

    @Test func aWorkerWithoutSharedMemoryTrainsBesideWorkersWithIt() throws {
        let local = try DistributedTrainingTests.localHash.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: ["--shuffle-seed", "5"])
        try cluster.startWorker("mapped-1")
        try cluster.startWorker("messages", extra: ["--no-shared-memory"])
        try cluster.startWorker("mapped-2", extra: ["--debug-decline-shared-weights"])
        cluster.waitForLog("coordinator") { $0.components(separatedBy: "worker joined").count == 4 }
        let output = try Binary.run(["submit", Self.spec, "--coordinator", cluster.endpoint, "--wait", "--json"]
                                    + Self.short)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Binary.json(output)["weightsSha256"] as? String == local)
        #expect(output.stderr.contains("shared memory for 2 of 3 workers"), "\(output.stderr)")
        #expect(!output.stderr.contains("results included"),
                "a worker on messages: results stay messages, or the coordinator would sleep on the mailboxes")
        let log = cluster.log("coordinator")
        #expect(log.components(separatedBy: "data path=shared memory").count == 3, "\(log)")
        #expect(log.components(separatedBy: "data path=messages").count == 2, "\(log)")
        #expect(log.components(separatedBy: "weights=shared").count == 2, "mapped-1 reads the run's weights: \(log)")
        #expect(log.components(separatedBy: "weights=copied").count == 2, "mapped-2 declined them: \(log)")
        let pid = try #require(cluster.coordinator?.processIdentifier)
        #expect(try Self.segments(of: pid).isEmpty,
                "every worker segment's name was removed once its worker answered, the run's weights with the run")
    }

    @Test func anExperimentEndingBeforeItsWorkersAnswerLeavesNoSegment() throws {
        let cluster = try TestCluster()
        // A long heartbeat timeout: the stopped worker must still be connected when the segment is counted.
        try cluster.startCoordinator(extra: ["--heartbeat-timeout", "120"])
        // A worker that joins but is stopped before it can answer the setup: its offered segment must go too.
        let worker = try cluster.startWorker("stopped")
        cluster.waitForLog("coordinator") { $0.contains("worker joined") }
        kill(worker.processIdentifier, SIGSTOP)
        defer { kill(worker.processIdentifier, SIGCONT) }
        let submitted = try Binary.run(["submit", Self.spec, "--coordinator", cluster.endpoint, "--json"] + Self.short)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = try #require(try Binary.json(submitted)["experimentId"] as? String)
        let pid = try #require(cluster.coordinator?.processIdentifier)
        let offered = Date().addingTimeInterval(30)
        while try Self.segments(of: pid).isEmpty && Date() < offered { Thread.sleep(forTimeInterval: 0.02) }
        #expect(try Self.segments(of: pid).count == 2, "the run's weights and the stopped worker's segment")
        let cancel = try Binary.run(["cancel", id, "--coordinator", cluster.endpoint])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let gone = Date().addingTimeInterval(30)
        while try !Self.segments(of: pid).isEmpty && Date() < gone { Thread.sleep(forTimeInterval: 0.02) }
        #expect(try Self.segments(of: pid).isEmpty, "cancelling removed the unanswered segment and the run's weights")
    }
}
