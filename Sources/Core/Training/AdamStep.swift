import CKernels

/// One step of ``Adam`` over its weights and moments, valid only inside ``Adam/withNextStep(updating:batchSize:trainable:_:)``,
/// which holds the buffers: the element-wise update with this step's rates.
public struct AdamStep {
    /// The parameters to update: `0..<count`.
    public let count: Int
    /// The weights being updated, for a caller that copies each block once it is done.
    public let weights: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let rates: Rates

    struct Rates {
        var alpha, oneMinusBeta1, oneMinusBeta2, epsilon, batchSize: Float
    }

    /// Updates the parameters in `block` with the mean gradient `(sum + plus) / batchSize` (`plus` nil: `sum`
    /// alone), in C (`distembed_adam_update`): Swift computes a SIMD vector's square root one lane at a time, at
    /// three times the cost of the whole pass. Every operation is rounded on its own in the order of Adam's
    /// formula, so the bits are those of a plain scalar loop.
    public func apply(to block: Range<Int>, gradientSum sum: UnsafePointer<Float>, plus: UnsafePointer<Float>?) {
        precondition(block.lowerBound >= 0 && block.upperBound <= count)
        let i = block.lowerBound
        // Dividing by a power of two is exactly multiplying by its reciprocal (both round the same real number),
        // and a multiply costs a fraction of a divide; other batch sizes divide.
        let n = Int(rates.batchSize)
        let divides = n & (n - 1) != 0
        distembed_adam_update(
            weights + i, m + i, v + i, sum + i, plus.map { $0 + i }, block.count, rates.alpha, rates.oneMinusBeta1,
            rates.oneMinusBeta2, rates.epsilon, rates.batchSize, divides ? 1 : 0, 1 / rates.batchSize)
    }
}
