import Core
import Foundation

/// The exercise as a step sees it: experiments/exercise4.json's model, its Fashion-MNIST training images, the
/// initial weights and the first epoch's order. Built in a benchmark's setup, outside the measurement.
final class ExerciseFixture {
    let model: Model
    let data: ImageSet
    let weights: [Float]
    /// The first epoch's sample order.
    let order: [Int]
    let schedule: TrainingSchedule
    let keys: GradientEngine.DropoutKeys

    init() throws {
        let spec = try ExperimentSpec.load(path: Self.specPath)
        model = try Model(spec.model)
        data = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 0).train
        weights = GlorotInitializer.weights(for: model, seed: spec.seed)
        schedule = TrainingSchedule(spec: spec, sampleCount: data.count)
        order = schedule.order(epoch: 0)
        keys = GradientEngine.DropoutKeys(seed: spec.seed, epoch: 0)
    }

    /// experiments/exercise4.json, found from this file (Benchmarks/Benchmarks/DistEmbedBenchmarks/ in the
    /// repository) so the suite runs from any directory.
    static var specPath: String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("experiments/exercise4.json").path
    }

    /// Samples in one chunk (the spec's `determinism.chunkSize`) and chunks in one step (batch 32).
    var chunkSize: Int { schedule.chunkSize }
    var chunksPerStep: Int { schedule.chunkCount(step: 0) }

    /// The dataset indices of chunk `index` of the first step.
    func chunk(_ index: Int) -> ArraySlice<Int> { order[schedule.chunk(index, ofStep: 0)] }
}
