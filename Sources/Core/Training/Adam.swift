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
    public mutating func update(
        _ weights: inout [Float], gradientSum sum: UnsafePointer<Float>, plus: UnsafePointer<Float>? = nil,
        batchSize: Int, trainable: Int? = nil
    ) {
        withNextStep(updating: &weights, batchSize: batchSize, trainable: trainable) { step in
            step.apply(to: 0..<step.count, gradientSum: sum, plus: plus)
        }
    }

    /// Counts the next step and calls `body` with its update of `weights` and the moments, to apply to every
    /// parameter in `0..<step.count` (the first `trainable`), in blocks in any order or on any thread: each element
    /// is updated alone, so the split changes no bit. ``AdamPass`` runs it beside a helper thread.
    public mutating func withNextStep<R>(
        updating weights: inout [Float], batchSize: Int, trainable: Int? = nil, _ body: (AdamStep) -> R
    ) -> R {
        precondition(weights.count == m.count && batchSize > 0)
        let count = trainable ?? weights.count
        precondition(count <= weights.count)
        step += 1
        let rates = AdamStep.Rates(
            alpha: distembed_adam_alpha(learningRate, beta1, beta2, UInt64(step)), oneMinusBeta1: 1 - beta1,
            oneMinusBeta2: 1 - beta2, epsilon: epsilon, batchSize: Float(batchSize))
        return weights.withUnsafeMutableBufferPointer { w in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    body(AdamStep(
                        count: count, weights: w.baseAddress!, m: m.baseAddress!, v: v.baseAddress!, rates: rates))
                }
            }
        }
    }
}
