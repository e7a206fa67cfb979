/// Debug (`worker --debug-flip-weight-bit STEP`): silent data corruption on demand, for testing the replica check.
/// At the chosen steps the worker computes with a private copy of its weights in which one bit is flipped (the
/// lowest mantissa bit of the middle parameter: finite, small, caught by nothing but the weights' digest).
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
        copy[count / 2] = Float(bitPattern: copy[count / 2].bitPattern ^ 1)
        return UnsafePointer(copy.baseAddress!)
    }
}
