/// Debug (`worker --debug-flip-weight-bit STEP`): silent data corruption on demand, for testing the replica check.
/// At the chosen steps the worker computes with a private copy of its weights in which one bit is flipped: the
/// highest mantissa bit of the first parameter (a weight of the first layer's first kernel, which every image
/// position uses), which changes it by up to half and keeps it finite, so that nothing but the weights' digest
/// can tell. (The lowest bit of a parameter in the middle changed no final weight in a test run.)
final class WeightCorruption {
    /// The first weights version (Adam's step count) computed with the flipped bit.
    let step: UInt64
    /// Whether every later step is corrupted too (a bit stuck in this machine's memory), not only `step`.
    let persistent: Bool
    /// The corrupted copy, reallocated when the parameter count changes.
    private var copy = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)

    init(step: UInt64, persistent: Bool) {
        self.step = step
        self.persistent = persistent
    }

    deinit {
        copy.deallocate()
    }

    /// The weights to compute with for `version`: `weights` itself, or the corrupted copy.
    func corrupt(_ weights: UnsafePointer<Float>, count: Int, version: UInt64) -> UnsafePointer<Float>? {
        guard version == step || (persistent && version > step), count > 0 else { return nil }
        if copy.count != count {
            copy.deallocate()
            copy = .allocate(capacity: count)
        }
        copy.baseAddress!.update(from: weights, count: count)
        copy[0] = Float(bitPattern: copy[0].bitPattern ^ (1 << 22))
        return UnsafePointer(copy.baseAddress!)
    }
}
