import Foundation
import Testing

/// Training with contrastive and triplet objectives, and in stages, through real processes: the distributed
/// runs give the local weights, and the results carry the held-out embedding quality.
@Suite(.serialized) struct MetricTrainingTests {
    static let spec = DistributedTrainingTests.spec
    static let short = ["--set", "dataset.trainLimit=300", "--set", "dataset.testLimit=200", "--set",
                        "training.epochs=null"]
    static let stages: [String: String] = [
        "two-stage": #"[{"epochs": 1}, {"epochs": 1, "objective": "triplet", "learningRate": 0.002}]"#,
        "contrastive": #"[{"epochs": 2, "objective": "contrastive", "margin": 0.5}]"#,
    ]

    @Test(arguments: ["two-stage", "contrastive"])
    func distributedRunsGiveTheLocalWeights(_ name: String) throws {
        let arguments = Self.short + ["--set", "training.stages=" + Self.stages[name]!]
        let localOutput = try Binary.run(["train", Self.spec, "--local", "--json"] + arguments)
        #expect(localOutput.status == 0, "\(localOutput.stderr)")
        let local = try Binary.json(localOutput)
        let hash = try #require(local["weightsSha256"] as? String)
        for extra in [["--workers", "2"], ["--workers", "3", "--shuffle-seed", "5"]] {
            let output = try Binary.run(["run", Self.spec, "--json"] + extra + arguments)
            #expect(output.status == 0, "\(output.stderr)")
            let json = try Binary.json(output)
            #expect(json["weightsSha256"] as? String == hash, "\(extra)")
            let quality = try #require(json["embeddingQuality"] as? [String: Any])
            #expect(quality as NSDictionary == local["embeddingQuality"] as? NSDictionary)
        }
        let quality = try #require(local["embeddingQuality"] as? [String: Any])
        #expect(quality["queryCount"] as? Int == 200 && quality["galleryCount"] as? Int == 300)
        for key in ["knn1Accuracy", "knn5Accuracy", "recallAt1"] {
            let value = try #require(quality[key] as? Double)
            #expect(value > 0.2 && value <= 1, "\(key) \(value) is better than chance (0.1)")
        }
        // Test accuracy only where a stage trained the classifier.
        #expect((local["testAccuracy"] as? Double != nil) == (name == "two-stage"))
        #expect((local["epochs"] as? [Any])?.count == 2)
    }
}
