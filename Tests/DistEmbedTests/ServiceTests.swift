import Foundation
import Testing

/// The coordinator as a service: submit, list, status, results, cancel; the queue and results survive restarts;
/// broken specs are refused with their field paths.
@Suite(.serialized) struct ServiceTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    func submit(_ cluster: TestCluster, _ extra: [String] = []) throws -> String {
        try cluster.submit(Self.spec, Self.short + extra)
    }

    func state(_ cluster: TestCluster, _ id: String) throws -> String {
        let out = try cluster.cli(["status", id, "--json"])
        return (try? Binary.json(out)["state"] as? String) ?? "unreachable"
    }

    func waitForState(_ cluster: TestCluster, _ id: String, _ states: Set<String>, timeout: Double = 60) throws
        -> String
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = try state(cluster, id)
            if states.contains(s) { return s }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try state(cluster, id)
    }

    @Test func experimentsQueueRunInOrderAndReportResults() throws {
        let local = try DistributedTrainingTests.localHash.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let first = try submit(cluster)
        let second = try submit(cluster, ["--set", "seed=2"])
        let list = try cluster.cli(["list", "--json"])
        #expect(list.status == 0)
        let rows = try #require(JSONSerialization.jsonObject(with: Data(list.lastLine.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == [first, second])
        let watched = try cluster.cli(["watch", second, "--json"])
        #expect(watched.status == 0, "\(watched.stderr)")
        #expect(try Binary.json(watched)["state"] as? String == "done")
        #expect(watched.stderr.contains("epoch 2/2"), "watch shows the epoch lines: \(watched.stderr)")
        #expect(try state(cluster, first) == "done")
        let results = try cluster.cli(["results", first, "--json"])
        #expect(results.status == 0, "\(results.stderr)")
        #expect(try Binary.json(results)["weightsSha256"] as? String == local)
        let text = try cluster.cli(["results", second])
        #expect(text.stdout.contains("weightsSha256") && text.stdout.contains("test accuracy"))
    }

    @Test func cancelStopsRunningAndQueuedExperiments() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let long = try submit(cluster, ["--set", "training.epochs=500"])
        let queued = try submit(cluster)
        #expect(try waitForState(cluster, long, ["running"]) == "running")
        #expect(try cluster.cli(["cancel", queued]).status == 0)
        #expect(try state(cluster, queued) == "cancelled")
        let cancelling = try cluster.cli(["cancel", long])
        #expect(cancelling.status == 0)
        #expect(cancelling.stdout.contains("\(long) cancelling: it stops at the end of the step in progress")
            || cancelling.stdout.contains("\(long) cancelled"), "\(cancelling.stdout)")
        #expect(try waitForState(cluster, long, ["cancelled"], timeout: 10) == "cancelled")
        let results = try cluster.cli(["results", long])
        #expect(results.status == 2, "a cancelled experiment: \(results.stderr)")
        #expect(results.stderr.contains("cancelled"))
        let watched = try cluster.cli(["watch", queued])
        #expect(watched.status == 2 && watched.stdout.contains("\(queued) cancelled"), "\(watched.stdout)")
    }

    @Test func queueAndResultsSurviveRestarts() throws {
        let local = try DistributedTrainingTests.localHash.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let id = try submit(cluster)
        #expect(try state(cluster, id) == "queued")
        cluster.stop()
        try cluster.startCoordinator()
        #expect(try state(cluster, id) == "queued")
        try cluster.startWorker("late")
        #expect(try waitForState(cluster, id, ["done"]) == "done")
        cluster.stop()
        try cluster.startCoordinator()
        let results = try cluster.cli(["results", id, "--json"])
        #expect(results.status == 0, "\(results.stderr)")
        #expect(try Binary.json(results)["weightsSha256"] as? String == local)
    }

    @Test(arguments: [
        (["--set", "training.epochs=0"], "training.epochs"),
        (["--set", "training.batchSize=-3"], "training.batchSize"),
        (["--set", "training.epoch=3"], "training.epoch"),
        (["--set", "model.layers.4.dense.units=\"many\""], "model.layers[4].dense.units"),
        (["--set", "model.layers.2.conv2d.kernel=9"], "model.layers[2].conv2d"),
        (["--set", "dataset.path=/nonexistent/data"], "dataset.path"),
    ])
    func brokenSpecsAreRefusedWithTheirFieldPath(overrides: [String], path: String) throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let out = try cluster.cli(["submit", Self.spec] + overrides)
        #expect(out.status == 65, "a bad spec: \(out.stderr)")
        #expect(out.stderr.contains(path), "\(out.stderr)")
        let list = try cluster.cli(["list", "--json"])
        #expect(list.lastLine == "[]", "nothing was queued")
    }

    @Test func unreachableCoordinatorIsAOneLineErrorNotAHang() throws {
        let started = Date()
        let out = try Binary.run(["list", "--coordinator", "tcp://127.0.0.1:9"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("no answer from the coordinator"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func environmentVariablesSupplyOptions() throws {
        let out = try Binary.run(["list"], environment: ["DISTEMBED_COORDINATOR": "tcp://127.0.0.1:7"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("tcp://127.0.0.1:7"), "\(out.stderr)")
        let flagWins = try Binary.run(["list", "--coordinator", "tcp://127.0.0.1:8"],
                                      environment: ["DISTEMBED_COORDINATOR": "tcp://127.0.0.1:7"])
        #expect(flagWins.stderr.contains("tcp://127.0.0.1:8"), "\(flagWins.stderr)")
    }
}
