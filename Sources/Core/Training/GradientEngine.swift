import Foundation

/// Forward and backward passes of a compiled model over up to `capacity` samples at a time, in buffers it
/// allocates once. One engine belongs to one thread.
///
/// ``chunkGradient(weights:samples:from:epoch:seed:into:)`` is the chunk API of the determinism contract: its
/// result is a pure function of the weights, the chunk's samples and the dropout keys, computed with shapes fixed
/// by the chunk and operations in a fixed order.
public final class GradientEngine {
    public let model: Model
    public let capacity: Int
    /// `activations[i]` is layer i's input; the last is the softmax output.
    private var activations: [UnsafeMutablePointer<Float>] = []
    /// `gradients[i]` is the loss gradient with respect to `activations[i]`.
    private var gradients: [UnsafeMutablePointer<Float>] = []
    private var cols: [UnsafeMutablePointer<Float>?] = []
    private var masks: [UnsafeMutablePointer<Float>?] = []
    private let colsGradient: UnsafeMutablePointer<Float>
    private var owned: [UnsafeMutablePointer<Float>] = []
    /// Layers before the first one with parameters need no input gradient.
    private let firstTrainable: Int

    /// An engine for `model` that takes up to `capacity` samples a call.
    public init(model: Model, capacity: Int) {
        precondition(capacity >= 1)
        self.model = model
        self.capacity = capacity
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        var owned: [UnsafeMutablePointer<Float>] = []
        var maxCols = 1
        activations.append(buffer(capacity * model.inputSize))
        gradients.append(buffer(capacity * model.inputSize))
        owned += [activations[0], gradients[0]]
        for layer in model.layers {
            switch layer.kind {
            case .flatten:
                // Same memory, another shape.
                activations.append(activations.last!)
                gradients.append(gradients.last!)
                cols.append(nil)
                masks.append(nil)
                continue
            case .conv(let g):
                let c = buffer(capacity * g.patchesPerSample * g.patchSize)
                cols.append(c)
                owned.append(c)
                maxCols = max(maxCols, capacity * g.patchesPerSample * g.patchSize)
                masks.append(nil)
            case .dropout(_, let size, _):
                let m = buffer(capacity * size)
                masks.append(m)
                owned.append(m)
                cols.append(nil)
            case .dense:
                cols.append(nil)
                masks.append(nil)
            }
            let a = buffer(capacity * layer.outputSize)
            let g = buffer(capacity * layer.outputSize)
            activations.append(a)
            gradients.append(g)
            owned += [a, g]
        }
        colsGradient = buffer(maxCols)
        owned.append(colsGradient)
        self.owned = owned
        firstTrainable = model.layers.firstIndex { $0.kernel != nil } ?? model.layers.count
    }

    deinit {
        for p in owned { p.deallocate() }
    }

    /// Statistics of one forward pass with labels.
    ///
    /// Each sample's loss is rounded to a multiple of 2⁻²⁴ before it is added, so sums of up to 2²⁹ in
    /// magnitude are exact in Double and the same in any grouping: a run's reported losses do not depend on how
    /// its chunks were split across workers.
    public struct Stats: Sendable, Equatable {
        public var lossSum: Double
        public var correct: Int
        public var count: Int
        public init(lossSum: Double = 0, correct: Int = 0, count: Int = 0) {
            self.lossSum = lossSum
            self.correct = correct
            self.count = count
        }

        @inline(__always)
        static func quantized(_ loss: Float) -> Double {
            (Double(loss) * 16_777_216).rounded() / 16_777_216
        }

        public static func + (a: Stats, b: Stats) -> Stats {
            Stats(lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count)
        }
    }

    /// Where dropout draws its masks: the run's seed and the epoch. `nil` means inference (no dropout).
    public struct DropoutKeys: Sendable {
        public var seed: UInt64
        public var epoch: Int
        public init(seed: UInt64, epoch: Int) {
            self.seed = seed
            self.epoch = epoch
        }
    }

    /// The summed gradient of the categorical cross-entropy over `samples` (dataset indices, at most
    /// `capacity`), written into all of `gradient`, plus the summed loss and the correct count.
    public func chunkGradient(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys,
        into gradient: UnsafeMutablePointer<Float>
    ) -> Stats {
        let n = samples.count
        let stats = forward(weights: weights, samples: samples, from: data, keys: keys)
        backward(weights: weights, samples: samples, labels: data.labels, count: n, into: gradient)
        return stats
    }

    /// The summed gradient of a contrastive or triplet objective on layer `layer`'s output, written into all of
    /// `gradient` (zero for the layers after `layer`). `rows` holds the dataset indices of the anchors, then of
    /// their partners, in ``MetricLoss``'s block layout; `anchors.count` anchors, at most `capacity` rows.
    public func metricChunkGradient(
        weights: UnsafePointer<Float>, rows: ArraySlice<Int>, anchors: [MetricLoss.Anchor], from data: ImageSet,
        keys: DropoutKeys, objective: TrainingObjective, margin: Float, layer: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) -> Stats {
        let n = rows.count
        precondition(n >= 1 && n <= capacity, "a chunk holds 1...\(capacity) rows")
        precondition(n == anchors.count * objective.rowsPerAnchor, "rows do not match the anchors")
        loadInput(rows, from: data)
        for l in model.layers[...layer] {
            forward(l, weights: weights, count: n, samples: rows, keys: keys)
        }
        let stats = MetricLoss.evaluate(
            objective, margin: margin, anchors: anchors, embeddings: activations[layer + 1],
            width: model.layers[layer].outputSize, gradient: gradients[layer + 1])
        let frozen = model.parameterPrefix(through: layer)
        (gradient + frozen).initialize(repeating: 0, count: model.parameterCount - frozen)
        for l in model.layers[...layer].reversed() {
            backward(l, weights: weights, count: n, into: gradient)
        }
        return stats
    }

    /// Runs the model on `samples` and returns loss and accuracy. With `keys == nil` dropout is off.
    @discardableResult
    public func forward(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys?
    ) -> Stats {
        let n = samples.count
        precondition(n >= 1 && n <= capacity, "a chunk holds 1...\(capacity) samples")
        precondition(data.sampleSize == model.inputSize, "images do not match the model's input")
        loadInput(samples, from: data)
        for layer in model.layers {
            forward(layer, weights: weights, count: n, samples: samples, keys: keys)
        }
        return softmaxStats(samples: samples, labels: data.labels)
    }

    /// The output of layer `name` for the last ``forward(weights:samples:from:keys:)``, `count` rows.
    public func output(ofLayer index: Int, count: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: activations[index + 1], count: count * model.layers[index].outputSize)
    }

    private func loadInput(_ samples: ArraySlice<Int>, from data: ImageSet) {
        let size = data.sampleSize
        let scale = ImageSet.scale
        var dst = activations[0]
        data.pixels.withUnsafeBufferPointer { pixels in
            scale.withUnsafeBufferPointer { table in
                for index in samples {
                    let src = pixels.baseAddress! + index * size
                    for j in 0..<size { dst[j] = table[Int(src[j])] }
                    dst += size
                }
            }
        }
    }

    private func forward(
        _ layer: CompiledLayer, weights: UnsafePointer<Float>, count n: Int, samples: ArraySlice<Int>,
        keys: DropoutKeys?
    ) {
        let input = activations[layer.index]
        let output = activations[layer.index + 1]
        switch layer.kind {
        case .conv(let g):
            let rows = n * g.patchesPerSample
            Im2Col.expand(g, samples: n, input: input, cols: cols[layer.index]!)
            fillRows(output, rows: rows, with: weights + layer.bias!.offset, width: g.outC)
            Gemm.multiply(
                m: rows, n: g.outC, k: g.patchSize, a: cols[layer.index]!, lda: g.patchSize,
                b: weights + layer.kernel!.offset, ldb: g.outC, c: output, ldc: g.outC, beta: 1)
            if layer.activation == .relu { Elementwise.relu(output, count: rows * g.outC) }
        case .dense(let inputs, let units):
            fillRows(output, rows: n, with: weights + layer.bias!.offset, width: units)
            Gemm.multiply(
                m: n, n: units, k: inputs, a: input, lda: inputs, b: weights + layer.kernel!.offset, ldb: units,
                c: output, ldc: units, beta: 1)
            if layer.activation == .relu { Elementwise.relu(output, count: n * units) }
        case .flatten:
            break
        case .dropout(let rate, let size, _):
            let mask = masks[layer.index]!
            if let keys {
                Dropout.fillMask(
                    mask, rate: rate, size: size, layer: layer.index, samples: samples, seed: keys.seed,
                    epoch: keys.epoch)
                Elementwise.multiply(input, mask, into: output, count: n * size)
            } else {
                output.update(from: input, count: n * size)
            }
        }
    }

    private func backward(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, labels: [UInt8], count n: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        // Softmax with categorical cross-entropy: the gradient at the logits is p - onehot.
        let classes = model.classCount
        let last = model.layers.count
        let probabilities = activations[last]
        let top = gradients[last]
        for (row, index) in samples.enumerated() {
            let label = Int(labels[index])
            for c in 0..<classes {
                top[row * classes + c] = probabilities[row * classes + c] - (c == label ? 1 : 0)
            }
        }
        for layer in model.layers.reversed() {
            backward(layer, weights: weights, count: n, into: gradient)
        }
    }

    private func backward(
        _ layer: CompiledLayer, weights: UnsafePointer<Float>, count n: Int, into gradient: UnsafeMutablePointer<Float>
    ) {
        let i = layer.index
        let input = activations[i]
        let output = activations[i + 1]
        let outGrad = gradients[i + 1]
        let needsInputGradient = i > firstTrainable
        if layer.activation == .relu {
            Elementwise.reluBackward(outGrad, output: output, count: n * layer.outputSize)
        }
        switch layer.kind {
        case .conv(let g):
            let rows = n * g.patchesPerSample
            Gemm.multiply(
                m: g.patchSize, n: g.outC, k: rows, a: cols[i]!, transposeA: true, lda: g.patchSize, b: outGrad,
                ldb: g.outC, c: gradient + layer.kernel!.offset, ldc: g.outC)
            Elementwise.columnSums(outGrad, rows: rows, width: g.outC, into: gradient + layer.bias!.offset)
            if needsInputGradient {
                Gemm.multiply(
                    m: rows, n: g.patchSize, k: g.outC, a: outGrad, lda: g.outC, b: weights + layer.kernel!.offset,
                    transposeB: true, ldb: g.outC, c: colsGradient, ldc: g.patchSize)
                Im2Col.collapse(g, samples: n, colsGradient: colsGradient, inputGradient: gradients[i])
            }
        case .dense(let inputs, let units):
            Gemm.multiply(
                m: inputs, n: units, k: n, a: input, transposeA: true, lda: inputs, b: outGrad, ldb: units,
                c: gradient + layer.kernel!.offset, ldc: units)
            Elementwise.columnSums(outGrad, rows: n, width: units, into: gradient + layer.bias!.offset)
            if needsInputGradient {
                Gemm.multiply(
                    m: n, n: inputs, k: units, a: outGrad, lda: units, b: weights + layer.kernel!.offset,
                    transposeB: true, ldb: units, c: gradients[i], ldc: inputs)
            }
        case .flatten:
            break
        case .dropout(_, let size, _):
            if needsInputGradient {
                Elementwise.multiply(outGrad, masks[i]!, into: gradients[i], count: n * size)
            }
        }
    }

    /// Turns the last layer's logits into probabilities in place; returns the summed cross-entropy
    /// (`logsumexp(z) - z[label]`) and how many rows have their label as the first largest probability.
    private func softmaxStats(samples: ArraySlice<Int>, labels: [UInt8]) -> Stats {
        let classes = model.classCount
        let z = activations[model.layers.count]
        var stats = Stats(count: samples.count)
        for (row, index) in samples.enumerated() {
            let logits = z + row * classes
            var maximum = logits[0]
            var argmax = 0
            for c in 1..<classes where logits[c] > maximum {
                maximum = logits[c]
                argmax = c
            }
            let label = Int(labels[index])
            let shiftedLogit = logits[label] - maximum
            var sum: Float = 0
            for c in 0..<classes {
                logits[c] = expf(logits[c] - maximum)
                sum += logits[c]
            }
            for c in 0..<classes { logits[c] /= sum }
            stats.lossSum += Stats.quantized(logf(sum) - shiftedLogit)
            if argmax == label { stats.correct += 1 }
        }
        return stats
    }

    private func fillRows(_ out: UnsafeMutablePointer<Float>, rows: Int, with bias: UnsafePointer<Float>, width: Int) {
        for r in 0..<rows { (out + r * width).update(from: bias, count: width) }
    }
}
