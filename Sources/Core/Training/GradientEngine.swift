import CKernels
import Foundation

/// Forward and backward passes of a compiled model over up to `capacity` samples at a time, in buffers it
/// allocates once. One engine belongs to one thread.
///
/// ``chunkGradient(weights:samples:from:keys:into:)`` is the chunk API of the determinism contract: its
/// result is a pure function of the weights, the chunk's samples and the dropout keys, computed with shapes fixed
/// by the chunk and operations in a fixed order.
public final class GradientEngine {
    public let model: Model
    public let capacity: Int
    /// The layers and their buffers, in C (`distembed_net.h`): every floating-point operation of a pass is there.
    private let net: OpaquePointer
    /// Per row of a chunk: its label, and what the C pass writes back.
    private var labels: [UInt32]
    private var losses: [Float]
    private var predicted: [UInt32]

    /// An engine for `model` that takes up to `capacity` samples a call.
    public init(model: Model, capacity: Int) {
        precondition(capacity >= 1)
        self.model = model
        self.capacity = capacity
        let layers = model.layers.map(Self.describe)
        guard let net = distembed_net_create(layers, layers.count, model.inputSize, capacity) else {
            fatalError("cannot allocate the buffers of a \(capacity)-sample chunk")
        }
        self.net = net
        labels = [UInt32](repeating: 0, count: capacity)
        losses = [Float](repeating: 0, count: capacity)
        predicted = [UInt32](repeating: 0, count: capacity)
    }

    deinit {
        distembed_net_destroy(net)
    }

    /// The C description of one compiled layer.
    static func describe(_ layer: CompiledLayer) -> distembed_layer {
        var d = distembed_layer()
        d.relu = layer.activation == .relu ? 1 : 0
        d.inputs = layer.inputSize
        d.units = layer.outputSize
        d.kernel_offset = layer.kernel?.offset ?? 0
        d.bias_offset = layer.bias?.offset ?? 0
        switch layer.kind {
        case .conv(let g):
            d.kind = Int32(DISTEMBED_LAYER_CONV.rawValue)
            (d.in_h, d.in_w, d.in_c) = (g.inH, g.inW, g.inC)
            (d.out_h, d.out_w, d.out_c) = (g.outH, g.outW, g.outC)
            (d.kernel, d.stride, d.pad_top, d.pad_left) = (g.kernel, g.stride, g.padTop, g.padLeft)
        case .dense:
            d.kind = Int32(DISTEMBED_LAYER_DENSE.rawValue)
        case .flatten:
            d.kind = Int32(DISTEMBED_LAYER_FLATTEN.rawValue)
        case .dropout:
            d.kind = Int32(DISTEMBED_LAYER_DROPOUT.rawValue)
        }
        return d
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

    /// A chunk whose forward pass is done and whose backward pass is left to the caller, one layer at a time from
    /// `topLayer` down: ``backwardParameters(ofLayer:rows:into:)`` then ``backwardInput(ofLayer:weights:rows:)``
    /// for each layer gives the bits of ``chunkGradient(weights:samples:from:keys:into:)``.
    public struct ForwardedChunk: Sendable {
        public let rows: Int
        /// The layer whose output the loss's gradient is at; the gradients of the parameters above it are zero.
        public let topLayer: Int
        public let stats: Stats
    }

    /// The summed gradient of the categorical cross-entropy over `samples` (dataset indices, at most
    /// `capacity`), written into all of `gradient`, plus the summed loss and the correct count.
    public func chunkGradient(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys,
        into gradient: UnsafeMutablePointer<Float>
    ) -> Stats {
        let chunk = forwardForGradient(weights: weights, samples: samples, from: data, keys: keys)
        backward(chunk, weights: weights, into: gradient)
        return chunk.stats
    }

    /// ``chunkGradient(weights:samples:from:keys:into:)`` over spans, each the model's parameter count long.
    public func chunkGradient(
        weights: Span<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys,
        into gradient: inout MutableSpan<Float>
    ) -> Stats {
        withParameterPointers(weights, &gradient, count: model.parameterCount) { w, g in
            chunkGradient(weights: w, samples: samples, from: data, keys: keys, into: g)
        }
    }

    /// ``chunkGradient(weights:samples:from:keys:into:)`` up to the loss's gradient at the logits.
    public func forwardForGradient(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys
    ) -> ForwardedChunk {
        let stats = forward(weights: weights, samples: samples, from: data, keys: keys, setGradient: true)
        return ForwardedChunk(rows: samples.count, topLayer: model.layers.count - 1, stats: stats)
    }

    /// The summed gradient of a contrastive or triplet objective on layer `layer`'s output, written into all of
    /// `gradient` (zero for the layers after `layer`). `rows` holds the dataset indices of the anchors, then of
    /// their partners, in ``MetricLoss``'s block layout; `anchors.count` anchors, at most `capacity` rows.
    public func metricChunkGradient(
        weights: UnsafePointer<Float>, rows: ArraySlice<Int>, anchors: [MetricLoss.Anchor], from data: ImageSet,
        keys: DropoutKeys, objective: TrainingObjective, margin: Float, layer: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) -> Stats {
        let chunk = forwardForMetricGradient(
            weights: weights, rows: rows, anchors: anchors, from: data, keys: keys, objective: objective,
            margin: margin, layer: layer)
        backward(chunk, weights: weights, into: gradient)
        return chunk.stats
    }

    /// ``metricChunkGradient(weights:rows:anchors:from:keys:objective:margin:layer:into:)`` up to the loss's
    /// gradient at layer `layer`'s output.
    public func forwardForMetricGradient(
        weights: UnsafePointer<Float>, rows: ArraySlice<Int>, anchors: [MetricLoss.Anchor], from data: ImageSet,
        keys: DropoutKeys, objective: TrainingObjective, margin: Float, layer: Int
    ) -> ForwardedChunk {
        let n = rows.count
        precondition(n >= 1 && n <= capacity, "a chunk holds 1...\(capacity) rows")
        precondition(n == anchors.count * objective.rowsPerAnchor, "rows do not match the anchors")
        data.load(rows, into: distembed_net_activation(net, 0))
        fillMasks(samples: rows, keys: keys, through: layer)
        distembed_net_forward(net, weights, n, 0, layer + 1, 1)
        let stats = MetricLoss.evaluate(
            objective, margin: margin, anchors: anchors, embeddings: distembed_net_activation(net, layer + 1),
            width: model.layers[layer].outputSize, gradient: distembed_net_gradient(net, layer + 1))
        return ForwardedChunk(rows: n, topLayer: layer, stats: stats)
    }

    /// The whole backward pass of `chunk`, the last one forwarded: its gradient into all of `gradient` (zero for
    /// the parameters above its top layer).
    public func backward(_ chunk: ForwardedChunk, weights: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        let above = model.parameterPrefix(through: chunk.topLayer)
        (gradient + above).initialize(repeating: 0, count: model.parameterCount - above)
        distembed_net_backward(net, weights, chunk.rows, chunk.topLayer, gradient)
    }

    /// Layer `layer`'s parameter gradients for the last forwarded chunk of `rows` rows, into `gradient`: the
    /// layer's parameters alone, in their order (``CompiledLayer/parameterCount`` floats). Call it for each layer
    /// from the chunk's top down, each followed by ``backwardInput(ofLayer:weights:rows:)``.
    public func backwardParameters(ofLayer layer: Int, rows: Int, into gradient: UnsafeMutablePointer<Float>) {
        distembed_net_backward_parameters(net, rows, layer, gradient)
    }

    /// Layer `layer`'s input gradient for the last forwarded chunk, after ``backwardParameters(ofLayer:rows:into:)``.
    public func backwardInput(ofLayer layer: Int, weights: UnsafePointer<Float>, rows: Int) {
        distembed_net_backward_input(net, weights, rows, layer)
    }

    /// Runs the model on `samples` and returns loss and accuracy. With `keys == nil` dropout is off.
    @discardableResult
    public func forward(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys?
    ) -> Stats {
        forward(weights: weights, samples: samples, from: data, keys: keys, setGradient: false)
    }

    /// The output of layer `name` for the last ``forward(weights:samples:from:keys:)``, `count` rows.
    public func output(ofLayer index: Int, count: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: distembed_net_activation(net, index + 1), count: count * model.layers[index].outputSize)
    }

    /// The last pass's input rows and dropout masks (one array per dropout layer, in layer order), `count` rows:
    /// with the weights and labels, everything the C pass computed from (``PortableProof``).
    public func lastInputs(count: Int) -> (input: [Float], masks: [[Float]]) {
        let input = Array(UnsafeBufferPointer(start: distembed_net_activation(net, 0), count: count * model.inputSize))
        let masks = model.layers.compactMap { layer -> [Float]? in
            guard case .dropout(_, let size, _) = layer.kind else { return nil }
            return Array(UnsafeBufferPointer(start: distembed_net_mask(net, layer.index), count: count * size))
        }
        return (input, masks)
    }

    /// The forward pass and the softmax's statistics; with `setGradient`, the gradient at the logits too.
    ///
    /// Each sample's loss is rounded to a multiple of 2⁻²⁴ before it is added (``Stats``).
    private func forward(
        weights: UnsafePointer<Float>, samples: ArraySlice<Int>, from data: ImageSet, keys: DropoutKeys?,
        setGradient: Bool
    ) -> Stats {
        let n = samples.count
        precondition(n >= 1 && n <= capacity, "a chunk holds 1...\(capacity) samples")
        precondition(data.sampleSize == model.inputSize, "images do not match the model's input")
        data.load(samples, into: distembed_net_activation(net, 0))
        if let keys { fillMasks(samples: samples, keys: keys, through: model.layers.count - 1) }
        distembed_net_forward(net, weights, n, 0, model.layers.count, keys == nil ? 0 : 1)
        for (row, index) in samples.enumerated() { labels[row] = UInt32(data.labels[index]) }
        distembed_net_softmax_xent(net, n, labels, &losses, &predicted, setGradient ? 1 : 0)
        var stats = Stats(count: n)
        for row in 0..<n {
            stats.lossSum += Stats.quantized(losses[row])
            if predicted[row] == labels[row] { stats.correct += 1 }
        }
        return stats
    }

    /// Draws the dropout masks of layers `0...last` for `samples` (the C pass multiplies by them).
    private func fillMasks(samples: ArraySlice<Int>, keys: DropoutKeys, through last: Int) {
        for layer in model.layers[...last] {
            guard case .dropout(let rate, let size, _) = layer.kind else { continue }
            Dropout.fillMask(
                distembed_net_mask(net, layer.index), rate: rate, size: size, layer: layer.index, samples: samples,
                seed: keys.seed, epoch: keys.epoch)
        }
    }
}
