/// Which samples each step of each epoch trains on, and how a step's minibatch is cut into canonical chunks.
/// Keras semantics: the first `sampleCount` images, a fresh permutation every epoch when shuffling, the last
/// partial batch kept. The permutation is a Fisher–Yates shuffle driven by the ``Philox`` permutation stream
/// keyed by the epoch, so every process derives the same order on its own.
public struct TrainingSchedule: Sendable, Equatable {
    public let sampleCount: Int
    public let batchSize: Int
    public let chunkSize: Int
    public let epochs: Int
    public let seed: UInt64
    public let shuffle: Bool

    public init(sampleCount: Int, batchSize: Int, chunkSize: Int, epochs: Int, seed: UInt64, shuffle: Bool) {
        self.sampleCount = sampleCount
        self.batchSize = batchSize
        self.chunkSize = chunkSize
        self.epochs = epochs
        self.seed = seed
        self.shuffle = shuffle
    }

    /// The schedule of a spec over a training set of `sampleCount` images.
    public init(spec: ExperimentSpec, sampleCount: Int) {
        self.init(
            sampleCount: sampleCount, batchSize: spec.training.batchSize, chunkSize: spec.determinism.chunkSize,
            epochs: spec.training.epochs, seed: spec.seed, shuffle: spec.training.shuffle)
    }

    public var stepsPerEpoch: Int { (sampleCount + batchSize - 1) / batchSize }
    public var totalSteps: Int { stepsPerEpoch * epochs }

    /// The dataset indices in the order epoch `epoch` (0-based) visits them.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<sampleCount)
        guard shuffle else { return order }
        let philox = Philox(seed: seed)
        let tag = RandomStream.permutation.tag()
        for i in stride(from: sampleCount - 1, to: 0, by: -1) {
            let b = philox.block((tag, UInt32(truncatingIfNeeded: epoch), UInt32(i), 0))
            let r = UInt64(b.0) << 32 | UInt64(b.1)
            let j = Int(r.multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
        }
        return order
    }

    /// Positions in the epoch's order that step `step` trains on.
    public func batch(_ step: Int) -> Range<Int> {
        let start = step * batchSize
        return start..<min(start + batchSize, sampleCount)
    }

    /// Canonical chunks in step `step`.
    public func chunkCount(step: Int) -> Int {
        (batch(step).count + chunkSize - 1) / chunkSize
    }

    /// Positions in the epoch's order that chunk `chunk` of step `step` covers.
    public func chunk(_ chunk: Int, ofStep step: Int) -> Range<Int> {
        let b = batch(step)
        let start = b.lowerBound + chunk * chunkSize
        return start..<min(start + chunkSize, b.upperBound)
    }
}
