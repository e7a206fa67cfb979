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

    /// The fused step (halves added, divided by the batch size inside the update) gives the bits of the plain
    /// scalar recipe: add, divide, then Adam element by element. Batch sizes with and without the reciprocal
    /// shortcut, one half or two, a count that leaves a tail after the eight-lane loop, and a trainable prefix.
    @Test(arguments: [1, 12, 16, 32, 33, 1000])
    func fusedUpdateMatchesAddDivideThenUpdate(batchSize: Int) {
        let count = 203
        var random = SystemRandomNumberGenerator()
        let left = (0..<count).map { _ in Float.random(in: -50...50, using: &random) }
        let right = (0..<count).map { _ in Float.random(in: -50...50, using: &random) }
        for halves in [1, 2] {
            for trainable in [count, 101] {
                var fused = Adam(parameterCount: count)
                var plain = Adam(parameterCount: count)
                var wf = (0..<count).map { Float($0) / 100 - 1 }
                var wp = wf
                for _ in 0..<3 {
                    left.withUnsafeBufferPointer { l in
                        right.withUnsafeBufferPointer { r in
                            fused.update(&wf, gradientSum: l.baseAddress!, plus: halves == 2 ? r.baseAddress! : nil,
                                         batchSize: batchSize, trainable: trainable)
                        }
                    }
                    var mean = [Float](repeating: 0, count: count)
                    for i in 0..<count {
                        var g = left[i]
                        if halves == 2 { g += right[i] }
                        mean[i] = g / Float(batchSize)
                    }
                    mean.withUnsafeBufferPointer { plain.update(&wp, gradient: $0.baseAddress!, trainable: trainable) }
                }
                #expect(wf.map(\.bitPattern) == wp.map(\.bitPattern), "batch \(batchSize), \(halves) halves")
                #expect(fused.m.map(\.bitPattern) == plain.m.map(\.bitPattern))
                #expect(fused.v.map(\.bitPattern) == plain.v.map(\.bitPattern))
                #expect(wf[150] == (0..<count).map { Float($0) / 100 - 1 }[150] || trainable == count,
                        "parameters past the trainable prefix stay")
            }
        }
    }

    /// Splitting the pass between two threads changes nothing: every element is computed alone.
    @Test(arguments: [7, 8, 203, 72_842])
    func splitUpdateGivesTheBitsOfOnePass(count: Int) {
        var random = SystemRandomNumberGenerator()
        let gradient = (0..<count).map { _ in Float.random(in: -5...5, using: &random) }
        let split = SplitPass()
        var one = Adam(parameterCount: count)
        var two = Adam(parameterCount: count)
        var w1 = (0..<count).map { _ in Float.random(in: -1...1, using: &random) }
        var w2 = w1
        for _ in 0..<4 {
            gradient.withUnsafeBufferPointer { g in
                one.update(&w1, gradientSum: g.baseAddress!, plus: g.baseAddress!, batchSize: 24)
                two.update(&w2, gradientSum: g.baseAddress!, plus: g.baseAddress!, batchSize: 24, split: split)
            }
        }
        #expect(w1.map(\.bitPattern) == w2.map(\.bitPattern))
        #expect(one.m.map(\.bitPattern) == two.m.map(\.bitPattern))
        #expect(one.v.map(\.bitPattern) == two.v.map(\.bitPattern))
        #expect(w1 != (0..<count).map { _ in 0 }, "the weights moved")
    }

    @Test func splitPassCoversEveryElementOnceOnTwoThreads() {
        let split = SplitPass()
        for count in [1, 15, 16, 17, 1001] {
            var hits = [Int](repeating: 0, count: count)
            let threads = hits.withUnsafeMutableBufferPointer { h in
                var seen = Set<String>()
                let lock = NSLock()
                split.run(count: count) { part in
                    for i in part { h[i] += 1 }
                    lock.withLock { _ = seen.insert(Thread.current.description) }
                }
                return seen.count
            }
            #expect(hits.allSatisfy { $0 == 1 }, "count \(count)")
            #expect(threads == (count / 2 / 8 * 8 > 0 ? 2 : 1), "count \(count)")
        }
    }
}
