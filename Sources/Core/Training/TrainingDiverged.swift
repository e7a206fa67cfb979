import CKernels

/// Training produced weights, losses or gradients that are not finite (NaN or infinity): an honest divergence (a
/// learning rate far too high) or a bad gradient. Training stops at that step instead of running on to the end, and
/// nothing non-finite is ever written over the last checkpoint (the coordinator drops it once the experiment's
/// failure is stored: a failed experiment does not resume).
public struct TrainingDiverged: Error, CustomStringConvertible, Sendable {
    /// The 1-based epoch and the 0-based step within it that produced the non-finite values.
    public let epoch: Int
    public let step: Int
    public let learningRate: Double
    /// What was not finite.
    public let what: String

    public init(
        epoch: Int, step: Int, learningRate: Double,
        what: String = "the weights or the loss are no longer finite (NaN or infinity)"
    ) {
        self.epoch = epoch
        self.step = step
        self.learningRate = learningRate
        self.what = what
    }

    public var description: String {
        "training diverged at epoch \(epoch), step \(step): \(what). Lower training.learningRate (now "
            + "\(learningRate)), or check the data"
    }

    /// Throws when `weights` or `lossSum` are not finite after step `step` of epoch `epoch` (0-based).
    public static func check(
        _ weights: [Float], lossSum: Double, epoch: Int, step: Int, learningRate: Double
    ) throws(TrainingDiverged) {
        let finite = weights.withUnsafeBufferPointer { w in w.baseAddress.map { allFinite($0, count: w.count) } ?? true }
        guard finite && lossSum.isFinite else {
            throw TrainingDiverged(epoch: epoch + 1, step: step, learningRate: learningRate)
        }
    }

    /// Whether `count` floats from `values` are all finite (one vectorised pass).
    public static func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        distembed_all_finite(values, count) != 0
    }
}
