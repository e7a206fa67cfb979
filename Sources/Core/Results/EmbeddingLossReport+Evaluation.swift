extension EmbeddingLossReport {
    /// The exercise's losses on the embeddings before and after training, each evaluated after its own
    /// `random.seed(evaluation.seed)`, contrastive then triplet on one stream, as the exercise does.
    /// - Throws: ``EmbeddingLossError`` when the embeddings cannot be evaluated (e.g. all values equal).
    public init(before: [Float], after: [Float], width: Int, labels: [Int], evaluation: EvaluationSpec) throws {
        try self.init(
            before: before, after: after, width: width, labels: labels, seed: evaluation.seed,
            margin: evaluation.margin)
    }

    /// The losses with the draws of `random.seed(seed)`.
    /// - Throws: ``EmbeddingLossError`` when the embeddings cannot be evaluated.
    public init(before: [Float], after: [Float], width: Int, labels: [Int], seed: Int, margin: Double) throws {
        func losses(_ values: [Float]) throws -> LossPair.Parts {
            let matrix = try EmbeddingLosses.Matrix(rows: labels.count, columns: width, values: .float32(values))
            let r = try EmbeddingLosses.evaluate(embeddings: matrix, labels: labels, seed: seed, margin: margin)
            return (r.contrastive, r.triplet)
        }
        let b = try losses(before)
        let a = try losses(after)
        self.init(contrastive: LossPair(before: b.0, after: a.0), triplet: LossPair(before: b.1, after: a.1))
    }
}

extension DrawSeedReport {
    /// The losses once per seed of `evaluation.seeds`, or nil when the spec asks for no more than the exercise's
    /// one draw (`seeds` is just `[seed]`), which the result's `losses` already hold.
    /// - Throws: ``EmbeddingLossError`` when the embeddings cannot be evaluated.
    public static func evaluate(
        before: [Float], after: [Float], width: Int, labels: [Int], evaluation: EvaluationSpec
    ) throws -> DrawSeedReport? {
        guard evaluation.seeds != [evaluation.seed] else { return nil }
        let rows = try evaluation.seeds.map { seed in
            Row(seed: seed, losses: try EmbeddingLossReport(
                before: before, after: after, width: width, labels: labels, seed: seed, margin: evaluation.margin))
        }
        return DrawSeedReport(rows: rows)
    }
}

extension LossPair {
    typealias Parts = (Double, Double)
}
