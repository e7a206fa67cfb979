/// One experiment in one process, the way the exercise runs it: embeddings and losses before training, training,
/// embeddings and losses after, test accuracy.
public final class LocalExperiment {
    public let trainer: LocalTrainer
    /// What `--out` writes, filled in by ``run(progress:)``.
    public private(set) var artifacts = ExperimentArtifacts(labels: [], width: 0)

    public init(spec: ExperimentSpec, dataset: Dataset) throws(SpecError) {
        self.trainer = try LocalTrainer(spec: spec, dataset: dataset)
    }

    /// Runs the experiment, calling `progress` after every epoch.
    public func run(progress: (EpochMetrics) -> Void = { _ in }) throws -> TrainingResult {
        _ = try trainer.train(progress: progress)
        let result: TrainingResult
        (result, artifacts) = try trainer.run.result()
        return result
    }
}
