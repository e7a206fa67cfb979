extension EmbeddingLossReport {
    /// The exercise's losses on the embeddings before and after training, each evaluated after its own
    /// `random.seed(evaluation.seed)`, contrastive then triplet on one stream, as the exercise does.
    /// - Throws: ``EmbeddingLossError`` when the embeddings cannot be evaluated (e.g. all values equal).
    public init(before: [Float], after: [Float], width: Int, labels: [Int], evaluation: EvaluationSpec) throws {
        func losses(_ values: [Float]) throws -> LossPair.Parts {
            let matrix = try EmbeddingLosses.Matrix(rows: labels.count, columns: width, values: .float32(values))
            let r = try EmbeddingLosses.evaluate(
                embeddings: matrix, labels: labels, seed: evaluation.seed, margin: evaluation.margin)
            return (r.contrastive, r.triplet)
        }
        let b = try losses(before)
        let a = try losses(after)
        self.init(contrastive: LossPair(before: b.0, after: a.0), triplet: LossPair(before: b.1, after: a.1))
    }
}

extension LossPair {
    typealias Parts = (Double, Double)
}
