/// The four loss values evaluated once for each draw seed of `evaluation.seeds`, on the same embeddings, with
/// their mean and sample standard deviation. The spread is the noise of drawing pairs and triplets alone: the
/// weights are fixed, only `random.seed` changes.
public struct DrawSeedReport: Codable, Sendable, Equatable {
    /// The values of one draw seed.
    public struct Row: Codable, Sendable, Equatable {
        public var seed: Int
        public var losses: EmbeddingLossReport

        public init(seed: Int, losses: EmbeddingLossReport) {
            self.seed = seed
            self.losses = losses
        }
    }

    /// One row per draw seed, in the order `evaluation.seeds` lists them.
    public var rows: [Row]
    public var statistics: EmbeddingLossStatistics

    public init(rows: [Row]) {
        self.rows = rows
        self.statistics = EmbeddingLossStatistics(rows.map(\.losses))
    }
}
