/// The contrastive and triplet losses of a chunk's anchors on their embeddings, and the gradient with respect to
/// every embedding row. Rows are laid out in blocks of `n` (the anchors): anchors, then the first partners
/// (contrastive: the pair's other sample; triplet: the positive), then for triplets the negatives.
///
/// These are the formulas of the exercise's `contrastive_loss` and `triplet_loss` (squared Euclidean distances),
/// without their min–max normalisation over the whole evaluated set, which would couple every sample of a step.
/// Sums run in a fixed order, so the result is the same bits on every call.
public enum MetricLoss {
    /// One anchor's partners as the loss sees them.
    public struct Anchor: Sendable, Equatable {
        /// Whether the anchor has partners at all (a triplet anchor may have none in its batch).
        public var valid: Bool
        /// Contrastive: whether the pair shares a class.
        public var sameClass: Bool

        public init(valid: Bool, sameClass: Bool) {
            self.valid = valid
            self.sameClass = sameClass
        }
    }

    /// Writes `∂L/∂e` for all `rows × width` embeddings `e` into `gradient` and returns the summed loss; `correct`
    /// counts anchors whose pair or triplet already meets the margin.
    public static func evaluate(
        _ objective: TrainingObjective, margin: Float, anchors: [Anchor], embeddings e: UnsafePointer<Float>,
        width: Int, gradient g: UnsafeMutablePointer<Float>
    ) -> GradientEngine.Stats {
        let n = anchors.count
        g.initialize(repeating: 0, count: n * objective.rowsPerAnchor * width)
        var stats = GradientEngine.Stats(count: n)
        for (i, anchor) in anchors.enumerated() where anchor.valid {
            let a = e + i * width
            let p = e + (n + i) * width
            let ga = g + i * width
            let gp = g + (n + i) * width
            var loss: Float
            switch objective {
            case .crossEntropy:
                preconditionFailure("cross-entropy is not a metric objective")
            case .contrastive:
                let d2 = squaredDistance(a, p, width)
                if anchor.sameClass {
                    loss = d2 / 2
                    for j in 0..<width {
                        ga[j] = a[j] - p[j]
                        gp[j] = p[j] - a[j]
                    }
                } else {
                    loss = max(0, margin - d2) / 2
                    if loss > 0 {
                        for j in 0..<width {
                            ga[j] = p[j] - a[j]
                            gp[j] = a[j] - p[j]
                        }
                    }
                }
            case .triplet:
                let q = e + (2 * n + i) * width
                let gq = g + (2 * n + i) * width
                loss = max(0, margin + squaredDistance(a, p, width) - squaredDistance(a, q, width))
                if loss > 0 {
                    for j in 0..<width {
                        ga[j] = 2 * (q[j] - p[j])
                        gp[j] = 2 * (p[j] - a[j])
                        gq[j] = 2 * (a[j] - q[j])
                    }
                }
            }
            stats.lossSum += GradientEngine.Stats.quantized(loss)
            if loss == 0 { stats.correct += 1 }
        }
        return stats
    }

    @inline(__always)
    static func squaredDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ width: Int) -> Float {
        var sum: Float = 0
        for j in 0..<width {
            let d = x[j] - y[j]
            sum += d * d
        }
        return sum
    }
}
