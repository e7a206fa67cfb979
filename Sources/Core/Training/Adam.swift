import CKernels
import Foundation

/// Adam with Keras's semantics, in Float32 like Keras on float32 variables. At step `t` (1-based):
///
///     alpha = lr · sqrt(1 − β2^t) / (1 − β1^t)
///     m ← m + (g − m) · (1 − β1)
///     v ← v + (g² − v) · (1 − β2)
///     w ← w − alpha · m / (sqrt(v) + ε)
///
/// ε is added to `sqrt(v)` after bias correction is folded into alpha ("epsilon hat"), as Keras and TensorFlow
/// do; PyTorch adds it to the bias-corrected `sqrt(v̂)` instead. The state is a value a checkpoint writes whole.
public struct Adam: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// First and second moment estimates, one per parameter.
    public var m: [Float]
    public var v: [Float]
    /// Steps taken so far.
    public var step: Int

    public init(parameterCount: Int, learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.m = [Float](repeating: 0, count: parameterCount)
        self.v = [Float](repeating: 0, count: parameterCount)
        self.step = 0
    }

    /// Adam for a spec's training recipe, at its first stage's learning rate.
    public init(parameterCount: Int, training: TrainingSpec) {
        let learningRate = training.stages.first?.learningRate ?? training.learningRate
        self.init(
            parameterCount: parameterCount, learningRate: Float(learningRate), beta1: Float(training.beta1),
            beta2: Float(training.beta2), epsilon: Float(training.epsilon))
    }

    /// One update of `weights` with the mean gradient `gradient`, on the first `trainable` parameters (all by
    /// default); the rest, and their moments, stay as they are.
    public mutating func update(_ weights: inout [Float], gradient: UnsafePointer<Float>, trainable: Int? = nil) {
        update(&weights, gradientSum: gradient, batchSize: 1, trainable: trainable)
    }

    /// One update with the step's mean gradient `(sum + plus) / batchSize`, formed element by element inside the
    /// update: the bits of adding the two halves, dividing by the batch size and calling
    /// ``update(_:gradient:trainable:)``, in one pass over memory instead of four. `plus` is the right half of the
    /// chunk tree's root when the root was not summed whole (nil otherwise).
    ///
    /// With `copy`, the new weights are also copied there, block by block behind the update while they are in
    /// cache (the coordinator's shared weights, which the workers on its host read); with `pass`, a helper thread
    /// takes blocks too. Neither changes a bit: each element is updated alone. Updating the shared weights in place
    /// instead was slower, up to three times: a read-modify-write of a line another core holds waits for that core
    /// to give it up, line by line, while a copy's stores stream (Docs/Performance.md).
    public mutating func update(
        _ weights: inout [Float], gradientSum sum: UnsafePointer<Float>, plus: UnsafePointer<Float>? = nil,
        batchSize: Int, trainable: Int? = nil, copy: UnsafeMutablePointer<Float>? = nil, pass: BlockPass? = nil
    ) {
        precondition(weights.count == m.count && batchSize > 0)
        let count = trainable ?? weights.count
        precondition(count <= weights.count)
        step += 1
        let alpha = distembed_adam_alpha(learningRate, beta1, beta2, UInt64(step))
        let rates = Rates(
            alpha: alpha, oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, epsilon: epsilon,
            batchSize: Float(batchSize))
        weights.withUnsafeMutableBufferPointer { w in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    let (w, m, v) = (w.baseAddress!, m.baseAddress!, v.baseAddress!)
                    let update = { (block: Range<Int>) in
                        let i = block.lowerBound
                        Self.update(
                            w: w + i, m: m + i, v: v + i, sum: sum + i, plus: plus.map { $0 + i },
                            count: block.count, rates: rates)
                        copy?.advanced(by: i).update(from: w + i, count: block.count)
                    }
                    if let pass { pass.run(count: count, update) } else { update(0..<count) }
                }
            }
        }
    }

    private struct Rates {
        var alpha, oneMinusBeta1, oneMinusBeta2, epsilon, batchSize: Float
    }

    /// The element-wise update, in C (`distembed_adam_update`): Swift computes a SIMD vector's square root one
    /// lane at a time, at three times the cost of the whole pass. Every operation is rounded on its own in the
    /// order of the formula above, so the bits are those of a plain scalar loop.
    @inline(__always)
    private static func update(
        w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        sum: UnsafePointer<Float>, plus: UnsafePointer<Float>?, count: Int, rates r: Rates
    ) {
        // Dividing by a power of two is exactly multiplying by its reciprocal (both round the same real number),
        // and a multiply costs a fraction of a divide; other batch sizes divide.
        let n = Int(r.batchSize)
        let divides = n & (n - 1) != 0
        distembed_adam_update(
            w, m, v, sum, plus, count, r.alpha, r.oneMinusBeta1, r.oneMinusBeta2, r.epsilon, r.batchSize,
            divides ? 1 : 0, 1 / r.batchSize)
    }
}
