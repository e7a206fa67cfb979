/// What a finished run measures on images it did not train on: test accuracy, when a stage trained the softmax
/// classifier and the spec asks for it, and the embedding's ``EmbeddingQuality`` (test images against the run's
/// training images). The local trainer and the coordinator both call this, so their results agree.
public struct HeldOutEvaluation: Sendable {
    public var testAccuracy: Double?
    public var quality: EmbeddingQuality?

    public init(spec: ExperimentSpec, model: Model, dataset: Dataset, weights: [Float]) {
        let test = dataset.test
        guard test.count > 0 else { return }
        let evaluator = Evaluator(model: model)
        let layer = spec.evaluation.layer
        let queries = evaluator.pass(layer: layer, count: test.count, of: test, weights: weights)
        if spec.evaluation.testAccuracy && TrainingStages(spec: spec, model: model).trainsClassifier {
            testAccuracy = Double(queries.stats.correct) / Double(queries.stats.count)
        }
        let gallery = evaluator.embeddings(layer: layer, count: dataset.train.count, of: dataset.train, weights: weights)
        quality = EmbeddingQuality.measure(
            gallery: gallery.values, galleryLabels: dataset.train.labels, queries: queries.values,
            queryLabels: test.labels, width: queries.width)
    }
}
