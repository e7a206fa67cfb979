import CKernels

/// Training produced weights or losses that are not finite (NaN or infinity): an honest divergence (a learning rate
/// far too high) or a bad gradient. Training stops at that step instead of running on to the end, and the last
/// checkpoint, taken before it, stays as it was.
public struct TrainingDiverged: Error, CustomStringConvertible, Sendable {
    /// The 1-based epoch and the 0-based step within it that produced the non-finite values.
    public let epoch: Int
    public let step: Int
    public let learningRate: Double

    public var description: String {
        "training diverged at epoch \(epoch), step \(step): the weights or the loss are no longer finite (NaN or "
            + "infinity). Lower training.learningRate (now \(learningRate)), or check the data"
    }

    /// Throws when `weights` or `lossSum` are not finite after step `step` of epoch `epoch` (0-based).
    public static func check(
        _ weights: [Float], lossSum: Double, epoch: Int, step: Int, learningRate: Double
    ) throws(TrainingDiverged) {
        let finite = weights.withUnsafeBufferPointer { distembed_all_finite($0.baseAddress, $0.count) != 0 }
        guard finite && lossSum.isFinite else {
            throw TrainingDiverged(epoch: epoch + 1, step: step, learningRate: learningRate)
        }
    }
}
