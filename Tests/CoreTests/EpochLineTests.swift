import Core
import Testing

/// Epoch lines name their stage and objective wherever "accuracy" is not a plain classification accuracy.
@Suite struct EpochLineTests {
    func training(_ overrides: [String]) throws -> TrainingSpec {
        try ExperimentSpec.parse(json: SpecTests.minimal, overrides: overrides).training
    }

    func metrics(_ epoch: Int) -> EpochMetrics {
        EpochMetrics(epoch: epoch, loss: 0.5, accuracy: 0.76, seconds: 1)
    }

    @Test func aStagedRunNamesEachEpochsStageAndObjective() throws {
        let staged = try training([#"training.stages=[{"epochs": 2}, {"epochs": 1, "objective": "triplet"}]"#])
        #expect(EpochLine.text(metrics(2), of: staged)
            == "epoch 2/3 (stage 1/2, crossEntropy)  loss 0.5000  accuracy 0.7600  1.00 s")
        #expect(EpochLine.text(metrics(3), of: staged)
            == "epoch 3/3 (stage 2/2, triplet)  loss 0.5000  accuracy 0.7600  1.00 s")
    }

    @Test func oneStageNamesOnlyAMetricObjective() throws {
        #expect(EpochLine.text(metrics(1), of: try training(["training.epochs=2"]))
            == "epoch 1/2  loss 0.5000  accuracy 0.7600  1.00 s")
        #expect(EpochLine.text(metrics(1), of: try training(["training.epochs=2", "training.objective=contrastive"]))
            == "epoch 1/2 (contrastive)  loss 0.5000  accuracy 0.7600  1.00 s")
    }
}
