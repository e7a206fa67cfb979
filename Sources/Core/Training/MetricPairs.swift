/// Which samples a metric objective compares each anchor with.
///
/// Partners are drawn inside the anchor's minibatch, from the ``Philox`` pair stream keyed by (epoch, step, the
/// anchor's position in the batch). A chunk's worker derives them from the schedule and the labels it already
/// holds, so a chunk's gradient stays a pure function of (weights, the chunk's positions, the keys), and every
/// split of a step draws the same pairs (Docs/Determinism.md). The partners' rows are computed
/// again in the anchor's chunk; their gradient flows back through them there.
///
/// - contrastive: one other sample of the batch, uniform, whatever its class (the exercise's draw).
/// - triplet: a positive, uniform among the batch's other samples of the anchor's class, and a negative,
///   uniform among its samples of other classes. An anchor with neither is `nil` and contributes nothing.
public struct MetricPairs: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The partners of the anchor at `anchor` (a position in the batch) among `labels`, the batch's labels.
    public func partners(
        of anchor: Int, labels: [Int32], objective: TrainingObjective, epoch: Int, step: Int
    ) -> [Int]? {
        let philox = Philox(seed: seed)
        let b = philox.block((RandomStream.metricPairs.tag(), UInt32(truncatingIfNeeded: epoch),
                              UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: anchor)))
        let first = UInt64(b.0) << 32 | UInt64(b.1)
        let second = UInt64(b.2) << 32 | UInt64(b.3)
        switch objective {
        case .crossEntropy:
            return []
        case .contrastive:
            guard labels.count >= 2 else { return nil }
            // Uniform over the other count-1 positions.
            let k = Self.uniform(first, below: labels.count - 1)
            return [k < anchor ? k : k + 1]
        case .triplet:
            let label = labels[anchor]
            let positives = labels.indices.filter { $0 != anchor && labels[$0] == label }
            let negatives = labels.indices.filter { labels[$0] != label }
            guard !positives.isEmpty, !negatives.isEmpty else { return nil }
            return [positives[Self.uniform(first, below: positives.count)],
                    negatives[Self.uniform(second, below: negatives.count)]]
        }
    }

    /// Lemire's multiply-high: `r` mapped onto `0..<count`.
    @inline(__always)
    static func uniform(_ r: UInt64, below count: Int) -> Int {
        Int(r.multipliedFullWidth(by: UInt64(count)).high)
    }
}
