extension TrainingRun {
    /// The embedding of the first `evaluation.samples` training images under the current weights.
    func evaluationEmbeddings() -> (values: [Float], width: Int) {
        let samples = min(spec.evaluation.samples, dataset.train.count)
        return Evaluator(model: model).embeddings(
            layer: spec.evaluation.layer, count: samples, of: dataset.train, weights: weights)
    }

    /// The result of the trained run, with the evaluation after training (embeddings, losses, held-out accuracy and
    /// quality, draw seeds) computed here, and what `--out` writes.
    /// - Parameter workers: the most workers that trained it (nil: trained in one process).
    public func result(workers: Int? = nil) throws -> (TrainingResult, ExperimentArtifacts) {
        let (after, width) = evaluationEmbeddings()
        let labels = dataset.train.labels[0..<min(spec.evaluation.samples, dataset.train.count)].map(Int.init)
        let losses = try EmbeddingLossReport(
            before: embeddingsBefore, after: after, width: width, labels: labels, evaluation: spec.evaluation)
        let heldOut = HeldOutEvaluation(spec: spec, model: model, dataset: dataset, weights: weights)
        let seconds = metrics.reduce(0) { $0 + $1.seconds }
        var result = TrainingResult(
            name: spec.name, seed: spec.seed, epochs: metrics, testAccuracy: heldOut.testAccuracy,
            trainSeconds: seconds, samplesPerSecond: Double(schedule.sampleCount * schedule.epochs) / seconds,
            weightsSha256: WeightsHash.sha256(weights), parameterCount: model.parameterCount,
            steps: schedule.totalSteps, losses: losses, workers: workers)
        result.embeddingQuality = heldOut.quality
        result.setup = RunSetup(spec: spec)
        result.drawSeeds = try DrawSeedReport.evaluate(
            before: embeddingsBefore, after: after, width: width, labels: labels, evaluation: spec.evaluation)
        result.embeddings = EmbeddingSnapshot(
            labels: labels, width: width, before: embeddingsBefore, after: after, classNames: spec.dataset.classNames)
        let artifacts = ExperimentArtifacts(
            before: embeddingsBefore, after: after, labels: labels, width: width, weights: weights)
        return (result, artifacts)
    }
}
