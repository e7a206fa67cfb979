import Core
import Testing

/// A run whose weights or loss stop being finite stops at that step with a message that names it and the learning
/// rate (issue 21: it trained on to the end, then failed at evaluation, and its epochs could not be stored).
@Suite struct DivergenceTests {
    @Test func aHugeLearningRateStopsAtTheFirstNonFiniteStep() throws {
        let spec = try DeterminismTests.spec(["training.learningRate=1e30"])
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 0)
        let trainer = try LocalTrainer(spec: spec, dataset: dataset)
        let error = #expect(throws: TrainingDiverged.self) { try trainer.train() }
        #expect(error?.epoch == 1 && (error?.step ?? 99) < 5, "\(String(describing: error))")
        #expect(error?.description.contains("training.learningRate (now 1e+30)") == true)
    }

    @Test func theUsualLearningRateTrainsToTheEnd() throws {
        let spec = try DeterminismTests.spec([])
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 0)
        #expect(try LocalTrainer(spec: spec, dataset: dataset).train().count == spec.training.epochs)
    }
}
