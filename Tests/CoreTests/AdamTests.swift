import Core
import Foundation
import Testing

@Suite struct AdamTests {
    /// Three steps of Keras's Adam for two parameters, worked out by hand in Float64 from the formula
    /// (alpha_t = lr·sqrt(1−β2^t)/(1−β1^t); m, v moving averages; w −= alpha_t·m/(sqrt(v)+ε)).
    @Test func matchesHandComputedSteps() {
        var adam = Adam(parameterCount: 2)
        var w: [Float] = [0.5, -1.0]
        let grads: [[Float]] = [[0.1, -2.0], [0.3, 1.0], [-0.2, 0.5]]
        // By hand, parameter 0: step 1: m=0.01, v=1e-5, alpha=0.001·sqrt(0.001)/0.1=3.16227766e-4,
        // update = alpha·0.01/(0.00316227766+1e-7) = 9.9996838e-4 → w = 0.49900003.
        var m = [0.0, 0.0], v = [0.0, 0.0], ref = [0.5, -1.0]
        for (t, g) in grads.enumerated() {
            g.withUnsafeBufferPointer { adam.update(&w, gradient: $0.baseAddress!) }
            let step = Double(t + 1)
            let alpha = 0.001 * (1 - pow(0.999, step)).squareRoot() / (1 - pow(0.9, step))
            for i in 0..<2 {
                m[i] += (Double(g[i]) - m[i]) * 0.1
                v[i] += (Double(g[i]) * Double(g[i]) - v[i]) * 0.001
                ref[i] -= alpha * m[i] / (v[i].squareRoot() + 1e-7)
            }
            for i in 0..<2 { #expect(abs(Double(w[i]) - ref[i]) < 1e-6, "step \(t + 1) parameter \(i)") }
        }
        #expect(abs(Double(w[0]) - ref[0]) < 1e-6)
        #expect(adam.step == 3)
        #expect(abs(0.5 - 9.9996838e-4 - 0.49900003) < 1e-7, "the hand-worked first step")
    }

    @Test func firstStepMovesEachWeightByAboutTheLearningRate() {
        var adam = Adam(parameterCount: 3)
        var w: [Float] = [0, 0, 0]
        let g: [Float] = [0.5, -5, 40]
        g.withUnsafeBufferPointer { adam.update(&w, gradient: $0.baseAddress!) }
        for (wi, gi) in zip(w, g) {
            #expect(abs(abs(wi) - 0.001) < 1e-6)
            #expect((wi < 0) == (gi > 0))
        }
    }

    /// The update (in C, vectorized) gives the bits of the formula written out as a scalar Swift loop, which
    /// rounds every operation on its own: halves added, divided by the batch size, then Adam element by element.
    /// Batch sizes with and without the reciprocal shortcut, one half or two, counts around the vector width, the
    /// block size of a helper thread's share and the exercise's, a trainable prefix, plain and as the coordinator
    /// runs it (``AdamPass``: with a helper thread, copying the new weights to a mirror, its shared weights).
    @Test(arguments: [1, 12, 16, 32, 33, 1000])
    func updateMatchesTheScalarFormulaBitForBit(batchSize: Int) {
        var random = SystemRandomNumberGenerator()
        let helper = BlockPass()
        for count in [1, 7, 8, 9, 203, 5000, 72_842] {
            let left = (0..<count).map { _ in Float.random(in: -50...50, using: &random) }
            let right = (0..<count).map { _ in Float.random(in: -50...50, using: &random) }
            let start = (0..<count).map { _ in Float.random(in: -1...1, using: &random) }
            for halves in [1, 2] {
                for (trainable, pass) in Set([count, max(1, count / 2)]).flatMap({ [($0, nil), ($0, helper)] }) {
                    var adam = Adam(parameterCount: count)
                    var w = start
                    var copy = start
                    var reference = ScalarAdam(weights: start)
                    for _ in 0..<3 {
                        left.withUnsafeBufferPointer { l in
                            right.withUnsafeBufferPointer { r in
                                let plus = halves == 2 ? r.baseAddress! : nil
                                if let pass {
                                    copy.withUnsafeMutableBufferPointer { copy in
                                        AdamPass(helper: pass, mirror: copy.baseAddress!).update(
                                            &adam, weights: &w, gradientSum: l.baseAddress!, plus: plus,
                                            batchSize: batchSize, trainable: trainable)
                                    }
                                } else {
                                    adam.update(
                                        &w, gradientSum: l.baseAddress!, plus: plus, batchSize: batchSize,
                                        trainable: trainable)
                                }
                            }
                        }
                        reference.step(left: left, right: halves == 2 ? right : nil, batchSize: batchSize,
                                       trainable: trainable)
                    }
                    let what = "batch \(batchSize), \(count) parameters, \(halves) halves, \(trainable) trainable, "
                        + (pass == nil ? "one thread" : "with a helper")
                    #expect(w.map(\.bitPattern) == reference.w.map(\.bitPattern), "\(what)")
                    #expect(pass == nil || copy.map(\.bitPattern) == w.map(\.bitPattern), "the copy (\(what))")
                    #expect(adam.m.map(\.bitPattern) == reference.m.map(\.bitPattern), "\(what)")
                    #expect(adam.v.map(\.bitPattern) == reference.v.map(\.bitPattern), "\(what)")
                    #expect(w[count - 1] == start[count - 1] || trainable == count,
                            "parameters past the trainable prefix stay (\(what))")
                    #expect(w[0] != start[0], "the weights moved (\(what))")
                }
            }
        }
    }

    /// Keras's Adam in Float32 as plain Swift, one rounding per operation (Swift never fuses them).
    private struct ScalarAdam {
        var w: [Float], m: [Float], v: [Float], t: Float = 0

        init(weights: [Float]) {
            w = weights
            m = [Float](repeating: 0, count: weights.count)
            v = m
        }

        mutating func step(left: [Float], right: [Float]?, batchSize: Int, trainable: Int) {
            t += 1
            let alpha: Float = 0.001 * (1 - powf(0.999, t)).squareRoot() / (1 - powf(0.9, t))
            let oneMinusBeta1: Float = 1 - 0.9, oneMinusBeta2: Float = 1 - 0.999, epsilon: Float = 1e-7
            for i in 0..<trainable {
                var g = left[i]
                if let right { g += right[i] }
                g = g / Float(batchSize)
                m[i] += (g - m[i]) * oneMinusBeta1
                v[i] += (g * g - v[i]) * oneMinusBeta2
                w[i] -= alpha * m[i] / (v[i].squareRoot() + epsilon)
            }
        }
    }
}
