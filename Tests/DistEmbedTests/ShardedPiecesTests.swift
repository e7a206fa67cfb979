import Foundation
import Testing

/// With a model whose shards are large enough to be cut (experiments/wide.json: 355,978 parameters), the members of
/// a sharded group compute layer by layer and send their slices in pieces while the backward pass goes on. The run
/// must still end with `train --local`'s weights, for 2 and 3 members and with a member killed mid-run.
@Suite(.serialized) struct ShardedPiecesTests {
    static let spec = DistributedTrainingTests.repositoryRoot + "/experiments/wide.json"
    /// 16 steps an epoch of 16 chunks, 64 in all.
    static let overrides = ["--set", "dataset.trainLimit=2048", "--set", "training.batchSize=128", "--set",
                            "training.epochs=4", "--set", "dataset.testLimit=100"]
    static let sharded = ShardedPeerTests.sharded + FaultTests.workerOptions

    static let local: Result<String, Error> = Result {
        try DistributedTrainingTests.hash(["train", spec, "--local", "--json"] + overrides)
    }

    /// Starts a coordinator and `members` sharded workers, and submits the spec.
    static func start(members: Int) throws -> (TestCluster, [Process], String) {
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: FaultTests.coordinatorOptions)
        let workers = try (1...members).map { try cluster.startWorker("w\($0)", extra: sharded) }
        let id = try cluster.submit(spec, overrides + ["--min-workers", "\(members)"])
        return (cluster, workers, id)
    }

    @Test(arguments: [2, 3]) func piecesGiveTheLocalWeights(members: Int) throws {
        let (cluster, _, id) = try Self.start(members: members)
        let result = try FaultTests().finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == (try Self.local.get()), "\(cluster.log("coordinator").suffix(3000))")
        let events = try #require(result["events"] as? [String: Any])
        #expect(events["shardedGroups"] as? Int == 1 && events["shardedRollbacks"] as? Int == 0, "\(events)")
        for member in 1...members {
            #expect(cluster.log("w\(member)").contains("slices=in pieces"), "\(cluster.log("w\(member)").suffix(2000))")
        }
    }

    @Test func aMemberKilledMidStepLosesNothing() throws {
        let (cluster, workers, id) = try Self.start(members: 3)
        let at = Int.random(in: 8...40)
        _ = try FaultTests().waitFor(cluster, id) { FaultTests().progress($0) >= at }
        kill(workers[1].processIdentifier, SIGKILL)
        let result = try FaultTests().finishedResult(cluster, id)
        #expect(result["weightsSha256"] as? String == (try Self.local.get()), "killed at step ≥ \(at)")
        let events = try #require(result["events"] as? [String: Any])
        #expect((events["shardedRollbacks"] as? Int ?? 0) >= 1, "\(events)")
    }
}
