import Foundation
import Testing

/// The evaluation after training (embeddings of every training and test image, the nearest-neighbour measures)
/// once ran on the coordinator's loop: for seconds nobody was answered, and `submit --wait` gave up on a
/// coordinator that was only busy. It runs beside the loop now, and status says so.
@Suite(.serialized) struct FinalEvaluationTests {
    @Test func statusIsAnsweredWhileTheTrainedWeightsAreEvaluated() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let id = try cluster.submit(DistributedTrainingTests.spec, [
            "--set", "dataset.trainLimit=20000", "--set", "dataset.testLimit=10000", "--set", "training.epochs=1",
            "--set", "training.batchSize=512",
        ])
        var sawEvaluation = false
        var unanswered = 0
        var state = ""
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline && !["done", "failed"].contains(state) {
            let status = try cluster.cli(["status", id, "--json"])
            guard status.status == 0, let summary = try? Binary.json(status) else {
                unanswered += 1
                continue
            }
            state = summary["state"] as? String ?? ""
            if (summary["message"] as? String)?.contains("evaluating the trained weights") == true {
                #expect(state == "running")
                sawEvaluation = true
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(state == "done", "\(cluster.log("coordinator"))")
        #expect(sawEvaluation, "status never said the weights were being evaluated")
        #expect(unanswered == 0, "\(unanswered) status requests went unanswered")
        let results = try Binary.json(try cluster.cli(["results", id, "--json"]))
        #expect(results["testAccuracy"] as? Double != nil, "\(results)")
    }
}
