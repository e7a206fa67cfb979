import Core
import Foundation
import Testing

/// A run resumed from a checkpoint inside a later stage steps with that stage's learning rate: the checkpoint holds
/// Adam's moments and step count, and the rate is the stage's, decided by the epoch alone.
@Suite struct CheckpointStageTests {
    @Test func resumingInsideALaterStageKeepsItsLearningRate() throws {
        // Two steps an epoch; the second stage (from epoch 2) has a tenth of the first's rate.
        let spec = try ExperimentSpec.load(
            path: Fixture.repositoryRoot + "/experiments/two-stage.json",
            overrides: [
                "dataset.trainLimit=64", "dataset.testLimit=1", "training.stages.0.epochs=2",
                "training.stages.1.epochs=2", "training.stages.1.learningRate=0.0001",
            ])
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: 64, testLimit: 1)
        let uninterrupted = try TrainingRun(spec: spec, dataset: dataset)
        let count = uninterrupted.model.parameterCount
        var noise: UInt64 = 7
        let gradients = (0..<8).map { _ in
            (0..<count).map { _ -> Float in
                noise = noise &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int32(truncatingIfNeeded: noise >> 32)) / Float(1 << 28)
            }
        }
        func step(_ run: TrainingRun, _ k: Int) throws {
            run.record(GradientEngine.Stats(lossSum: 1, correct: 1, count: 32))
            _ = try run.completeStep(now: 0) { update in gradients[k].withUnsafeBufferPointer { update($0.baseAddress!, nil) } }
        }
        for k in 0..<5 { try step(uninterrupted, k) }
        // Epoch 2, step 1: inside the second stage, after its first step started a fresh Adam at its rate.
        #expect(uninterrupted.epoch == 2 && uninterrupted.step == 1)
        let checkpoint = uninterrupted.checkpoint(now: 0)
        let resumed = try TrainingRun(spec: spec, dataset: dataset)
        #expect(resumed.restore(checkpoint, metrics: uninterrupted.metrics))
        for k in 5..<8 {
            try step(uninterrupted, k)
            try step(resumed, k)
        }
        #expect(resumed.optimizer.learningRate == uninterrupted.optimizer.learningRate)
        #expect(resumed.weights.map(\.bitPattern) == uninterrupted.weights.map(\.bitPattern))
    }
}
