import Foundation
import Testing

/// Faults with real processes: a killed worker, a stopped worker, workers joining late, a killed coordinator.
/// Every run must end with the weights of an undisturbed run.
@Suite(.serialized) struct FaultTests {
    static let spec = DistributedTrainingTests.spec
    /// 63 steps an epoch, 378 in all: long enough to hit mid-run from the outside.
    static let overrides = ["--set", "dataset.trainLimit=2000", "--set", "training.epochs=6", "--set",
                            "dataset.testLimit=200"]
    static let coordinatorOptions = ["--heartbeat-interval", "0.2", "--heartbeat-timeout", "3",
                                     "--result-timeout", "3"]
    static let workerOptions = ["--coordinator-timeout", "2"]

    static let undisturbed: Result<String, Error> = Result {
        try DistributedTrainingTests.hash(["train", spec, "--local", "--json"] + overrides)
    }

    func submit(_ cluster: TestCluster, overrides: [String] = Self.overrides) throws -> String {
        try cluster.submit(Self.spec, overrides)
    }

    func status(_ cluster: TestCluster, _ id: String) throws -> [String: Any] {
        let out = try Binary.run(["status", id, "--coordinator", cluster.endpoint, "--json"])
        guard out.status == 0 else { return [:] }
        return try Binary.json(out)
    }

    /// Steps completed so far (0 until the coordinator answers).
    func progress(_ s: [String: Any]) -> Int {
        let epoch = s["epoch"] as? Int ?? 0
        return epoch * (s["stepsPerEpoch"] as? Int ?? 0) + (s["step"] as? Int ?? 0)
    }

    func waitFor(_ cluster: TestCluster, _ id: String, timeout: Double = 120, until: ([String: Any]) -> Bool) throws
        -> [String: Any]
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = try status(cluster, id)
            if until(s) { return s }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestClusterError(message: "timed out waiting on \(id):\n\(cluster.log("coordinator").suffix(3000))")
    }

    func finishedResult(_ cluster: TestCluster, _ id: String) throws -> [String: Any] {
        let final = try waitFor(cluster, id) { ["done", "failed", "cancelled"].contains($0["state"] as? String ?? "") }
        #expect(final["state"] as? String == "done", "\(final)")
        let out = try Binary.run(["results", id, "--coordinator", cluster.endpoint, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        return try Binary.json(out)
    }

    @Test func killedWorkerLosesNothing() throws {
        let expected = try Self.undisturbed.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        let victims = try (1...3).map { try cluster.startWorker("w\($0)", extra: Self.workerOptions) }
        let id = try submit(cluster)
        let at = Int.random(in: 20...150)
        _ = try waitFor(cluster, id) { progress($0) >= at }
        kill(victims[1].processIdentifier, SIGKILL)
        let result = try finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == expected, "killed at step ≥ \(at)")
        let events = try #require(result["events"] as? [String: Any])
        // At least the killed one (a loaded machine may drop a slow worker too, which changes nothing).
        #expect((events["workersLost"] as? Int ?? 0) >= 1)
    }

    @Test func stoppedWorkerIsDroppedAndItsLateResultIgnored() throws {
        let expected = try Self.undisturbed.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        let sleeper = try cluster.startWorker("sleeper", extra: Self.workerOptions)
        try cluster.startWorker("steady", extra: Self.workerOptions)
        let id = try submit(cluster)
        _ = try waitFor(cluster, id) { progress($0) >= 30 }
        kill(sleeper.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 5)  // past the heartbeat and result timeouts
        kill(sleeper.processIdentifier, SIGCONT)
        let result = try finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == expected)
        let events = try #require(result["events"] as? [String: Any])
        #expect((events["workersLost"] as? Int ?? 0) >= 1)
        #expect(cluster.log("coordinator").contains("worker dropped"))
    }

    /// The third worker uses messages: from its setup on, results stop coming through the segments' mailboxes.
    /// The run is four times as long as the others (1,512 steps): with the portable kernels one worker does
    /// the 378 steps in about a second, less than two workers take to start and set up.
    @Test func workersJoiningMidRunChangeNothing() throws {
        let overrides = Self.overrides.map { $0 == "training.epochs=6" ? "training.epochs=24" : $0 }
        let expected = try DistributedTrainingTests.hash(["train", Self.spec, "--local", "--json"] + overrides)
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        try cluster.startWorker("first", extra: Self.workerOptions)
        let id = try submit(cluster, overrides: overrides)
        _ = try waitFor(cluster, id) { progress($0) >= 20 }
        try cluster.startWorker("second", extra: Self.workerOptions)
        try cluster.startWorker("third", extra: Self.workerOptions + ["--no-shared-memory"])
        let result = try finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == expected)
        #expect(cluster.log("coordinator").contains("data path=messages"), "the third worker set up on messages")
        let watched = try cluster.cli(["watch", id])
        #expect(watched.stderr.contains("shared memory for 1 of 1 worker, results included"),
                "the first worker posted its results until then: \(watched.stderr)")
        let events = try #require(result["events"] as? [String: Any])
        #expect((events["workersJoined"] as? Int ?? 0) >= 2)
    }

    @Test func killedCoordinatorResumesFromItsCheckpoint() throws {
        let expected = try Self.undisturbed.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        try cluster.startWorker("w1", extra: Self.workerOptions)
        try cluster.startWorker("w2", extra: Self.workerOptions)
        let id = try submit(cluster)
        // Mid-epoch 3: a checkpoint exists from the end of epoch 2.
        _ = try waitFor(cluster, id) { progress($0) >= 63 * 2 + 20 }
        kill(cluster.coordinator!.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(cluster.coordinator!)
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        let result = try finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == expected)
        let events = try #require(result["events"] as? [String: Any])
        #expect(events["resumes"] as? Int == 1)
        #expect((result["epochs"] as? [Any])?.count == 6)
    }

    /// The checkpoint at the end of epoch 3 holds the first stage's Adam; the resumed run must start the triplet
    /// stage with a fresh one, as the undisturbed run did.
    @Test func killedCoordinatorResumesIntoTheNextStage() throws {
        let staged = Self.overrides + [
            "--set", "training.epochs=null", "--set",
            #"training.stages=[{"epochs": 3}, {"epochs": 3, "objective": "triplet"}]"#,
        ]
        let expected = try DistributedTrainingTests.hash(["train", Self.spec, "--local", "--json"] + staged)
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        try cluster.startWorker("w1", extra: Self.workerOptions)
        try cluster.startWorker("w2", extra: Self.workerOptions)
        let id = try submit(cluster, overrides: staged)
        _ = try waitFor(cluster, id) { progress($0) >= 63 * 3 + 10 }
        kill(cluster.coordinator!.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(cluster.coordinator!)
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        let result = try finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == expected)
        #expect((result["events"] as? [String: Any])?["resumes"] as? Int == 1)
    }

    /// A coordinator down for longer than a request's timeout (3 s): `submit --wait` and `watch` keep asking, say
    /// so, and end with the experiment's outcome once it is back.
    @Test func waitingClientsRideOutACoordinatorRestart() throws {
        let expected = try Self.undisturbed.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        try cluster.startWorker("w1", extra: Self.workerOptions)
        let waiting = try cluster.startCLI(["submit", Self.spec, "--wait", "--json"] + Self.overrides, log: "submit")
        try #require(cluster.waitForLog("submit") { $0.contains("submitted ") }, "\(cluster.log("submit"))")
        let id = String(cluster.log("submit").components(separatedBy: "submitted ")[1].prefix { !$0.isWhitespace })
        let watching = try cluster.startCLI(["watch", id, "--json"], log: "watch")
        _ = try waitFor(cluster, id) { progress($0) >= 63 * 2 + 20 }
        kill(cluster.coordinator!.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(cluster.coordinator!)
        #expect(cluster.waitForLog("submit", timeout: 60) { $0.contains("retrying") }, "\(cluster.log("submit"))")
        Thread.sleep(forTimeInterval: 4)  // longer than a request's timeout
        try cluster.startCoordinator(extra: Self.coordinatorOptions)
        for (process, log) in [(waiting, "submit"), (watching, "watch")] {
            let status = cluster.waitForExit(process, timeout: 120)
            let output = cluster.log(log)
            #expect(status == 0, "\(log): \(output)")
            #expect(output.contains("no answer from the coordinator") && output.contains("answers again"), "\(output)")
        }
        let lastLine = cluster.log("submit").split(separator: "\n").last.map(String.init) ?? ""
        let result = try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any]
        #expect(result?["weightsSha256"] as? String == expected, "\(lastLine)")
        #expect(cluster.log("watch").contains(#""state":"done""#), "\(cluster.log("watch"))")
    }

    /// With the coordinator gone for good, `watch` gives up after --reconnect-timeout, with status 69.
    @Test func watchGivesUpAfterTheReconnectTimeout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gone-\(UUID().uuidString)")
        let out = try Binary.run([
            "watch", "exp-1", "--coordinator", "ipc://\(folder.path)/c.sock", "--reconnect-timeout", "5",
        ])
        #expect(out.status == 69, "\(out.stderr)")
        #expect(out.stderr.contains("retrying"), "\(out.stderr)")
        #expect(out.stderr.contains("gave up (--reconnect-timeout 5 s)"), "\(out.stderr)")
    }
}
