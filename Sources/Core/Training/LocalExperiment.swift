import Foundation

/// One experiment in one process, the way the exercise runs it: embeddings and losses before training, training,
/// embeddings and losses after, test accuracy.
public final class LocalExperiment {
    public let spec: ExperimentSpec
    public let trainer: LocalTrainer
    /// What `--out` writes, filled in by ``run(progress:)``.
    public private(set) var artifacts = ExperimentArtifacts(labels: [], width: 0)

    public init(spec: ExperimentSpec, dataset: Dataset) throws(SpecError) {
        self.spec = spec
        self.trainer = try LocalTrainer(spec: spec, dataset: dataset)
    }

    /// Runs the experiment, calling `progress` after every epoch.
    public func run(progress: (EpochMetrics) -> Void = { _ in }) throws -> TrainingResult {
        let evaluator = Evaluator(model: trainer.model)
        let data = trainer.dataset.train
        let samples = min(spec.evaluation.samples, data.count)
        let before = evaluator.embeddings(
            layer: spec.evaluation.layer, count: samples, of: data, weights: trainer.weights)
        let start = DispatchTime.now()
        let epochs = try trainer.train(progress: progress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let after = evaluator.embeddings(layer: spec.evaluation.layer, count: samples, of: data, weights: trainer.weights)
        let labels = data.labels[0..<samples].map(Int.init)
        artifacts = ExperimentArtifacts(
            before: before.values, after: after.values, labels: labels, width: before.width, weights: trainer.weights)
        let losses = try EmbeddingLossReport(
            before: before.values, after: after.values, width: before.width, labels: labels,
            evaluation: spec.evaluation)
        let heldOut = HeldOutEvaluation(
            spec: spec, model: trainer.model, dataset: trainer.dataset, weights: trainer.weights)
        let trained = trainer.schedule.sampleCount * trainer.schedule.epochs
        var result = TrainingResult(
            name: spec.name, seed: spec.seed, epochs: epochs, testAccuracy: heldOut.testAccuracy, trainSeconds: seconds,
            samplesPerSecond: Double(trained) / seconds, weightsSha256: WeightsHash.sha256(trainer.weights),
            parameterCount: trainer.model.parameterCount, steps: trainer.schedule.totalSteps, losses: losses)
        result.embeddingQuality = heldOut.quality
        result.setup = RunSetup(spec: spec)
        result.drawSeeds = try DrawSeedReport.evaluate(
            before: before.values, after: after.values, width: before.width, labels: labels,
            evaluation: spec.evaluation)
        result.embeddings = EmbeddingSnapshot(
            labels: labels, width: before.width, before: before.values, after: after.values,
            classNames: spec.dataset.classNames)
        return result
    }
}
