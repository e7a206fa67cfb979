/// Computes whole subtrees of a step's chunk tree on one replica: the work a worker does for an assignment, and
/// all the work of a step in the local trainer. Buffers are reused from step to step.
public final class ChunkComputer {
    public let model: Model
    public let schedule: TrainingSchedule
    public let stages: TrainingStages
    public let data: ImageSet
    private let engine: GradientEngine
    private let pairs: MetricPairs
    private let scratch = ScratchBuffers()
    /// For ``subtreesByLayer(_:step:epoch:order:weights:into:final:)``: an engine per chunk of the run, each
    /// keeping its chunk's activations until the chunk's backward pass (the first is ``engine``).
    private var runEngines: [GradientEngine]

    public init(model: Model, schedule: TrainingSchedule, stages: TrainingStages, data: ImageSet) {
        self.model = model
        self.schedule = schedule
        self.stages = stages
        self.data = data
        self.pairs = MetricPairs(seed: schedule.seed)
        self.engine = GradientEngine(model: model, capacity: schedule.chunkSize * stages.rowsPerAnchor)
        self.runEngines = [engine]
    }

    /// The summed gradient of subtree `node` of step `step` into `out` (``Model/parameterCount`` floats), and the
    /// summed statistics of its samples. `order` is the epoch's sample order (``TrainingSchedule/order(epoch:)``).
    public func subtree(
        _ node: ChunkTree.Node, step: Int, epoch: Int, order: [Int], weights: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) -> GradientEngine.Stats {
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: step))
        let batch = batchLabels(step: step, epoch: epoch, order: order)
        var stats = GradientEngine.Stats()
        tree.sum(node, count: model.parameterCount, into: out, scratch: scratch) { node, buffer in
            guard node.level == 0 else { return false }
            let pass = forward(
                node.index, on: engine, step: step, epoch: epoch, order: order, batchLabels: batch, weights: weights)
            engine.backward(pass, weights: weights, into: buffer)
            stats = stats + pass.stats
            return true
        }
        return stats
    }

    /// ``subtree(_:step:epoch:order:weights:into:)`` over spans, each ``Model/parameterCount`` floats long.
    public func subtree(
        _ node: ChunkTree.Node, step: Int, epoch: Int, order: [Int], weights: Span<Float>,
        into out: inout MutableSpan<Float>
    ) -> GradientEngine.Stats {
        withParameterPointers(weights, &out, count: model.parameterCount) { w, o in
            subtree(node, step: step, epoch: epoch, order: order, weights: w, into: o)
        }
    }

    /// The sums of subtrees `nodes`, the cover of one run of step `step`'s chunks (``ChunkTree/cover(_:)``), into
    /// `sums` (one buffer of ``Model/parameterCount`` floats per node), computed one layer at a time over all the
    /// run's chunks: every chunk's forward pass; then, from the top layer down, each subtree's sum of the layer's
    /// parameter gradients (each chunk's computed into the tree's buffers as the sum needs it, so only a few
    /// layer-sized buffers are live), and only then every chunk's input gradient. `final(range)` is
    /// called as soon as the sums of the parameters in `range` are complete, top layer first, so a sharded member
    /// sends them while the layers below are computed (Docs/ShardedReduction.md); the ranges cover the parameters
    /// once, and the last begins at 0.
    ///
    /// The bits are those of ``subtree(_:step:epoch:order:weights:into:)`` node by node: each chunk's passes run
    /// the same operations in the same order on an engine of its own, and each subtree adds the same values in the
    /// tree's order (``ChunkTree/sum(_:count:into:scratch:provide:)`` over the layer's parameters).
    public func subtreesByLayer(
        _ nodes: [ChunkTree.Node], step: Int, epoch: Int, order: [Int], weights: UnsafePointer<Float>,
        into sums: [UnsafeMutablePointer<Float>], final: (Range<Int>) throws -> Void
    ) rethrows -> GradientEngine.Stats {
        precondition(nodes.count == sums.count, "one sum buffer per subtree")
        guard let firstNode = nodes.first, let lastNode = nodes.last else { return GradientEngine.Stats() }
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: step))
        let run = tree.chunks(of: firstNode).lowerBound..<tree.chunks(of: lastNode).upperBound
        while runEngines.count < run.count { runEngines.append(GradientEngine(model: model, capacity: engine.capacity)) }
        let batch = batchLabels(step: step, epoch: epoch, order: order)
        var stats = GradientEngine.Stats()
        let forwarded = run.enumerated().map { j, chunk -> GradientEngine.ForwardedChunk in
            let pass = forward(
                chunk, on: runEngines[j], step: step, epoch: epoch, order: order, batchLabels: batch, weights: weights)
            stats = stats + pass.stats
            return pass
        }
        let top = forwarded[0].topLayer
        // Parameters above the loss's layer have no gradient.
        var summedFrom = model.parameterCount
        let above = model.parameterPrefix(through: top)
        if above < summedFrom {
            for sum in sums { (sum + above).update(repeating: 0, count: summedFrom - above) }
            try final(above..<summedFrom)
            summedFrom = above
        }
        for layer in stride(from: top, through: 0, by: -1) {
            if let kernel = model.layers[layer].kernel {
                let range = kernel.offset..<summedFrom
                precondition(range.count == model.layers[layer].parameterCount, "parameters out of the layers' order")
                for (node, sum) in zip(nodes, sums) {
                    tree.sum(node, count: range.count, into: sum + range.lowerBound, scratch: scratch) { node, buffer in
                        guard node.level == 0 else { return false }
                        let j = node.index - run.lowerBound
                        runEngines[j].backwardParameters(ofLayer: layer, rows: forwarded[j].rows, into: buffer)
                        return true
                    }
                }
                try final(range)
                summedFrom = kernel.offset
            }
            for (j, pass) in forwarded.enumerated() {
                runEngines[j].backwardInput(ofLayer: layer, weights: weights, rows: pass.rows)
            }
        }
        precondition(summedFrom == 0, "the layers' parameters are not in the model's order")
        return stats
    }

    /// The labels of step `step`'s batch, which a metric objective draws partners from; empty for others.
    private func batchLabels(step: Int, epoch: Int, order: [Int]) -> [Int32] {
        stages.stage(epoch: epoch).objective.isMetric ? schedule.batch(step).map { data.labels[order[$0]] } : []
    }

    /// Chunk `chunk` of step `step` through `engine` up to its loss's gradient: the stage's objective on the chunk's
    /// samples (a metric objective's on their rows and partners' rows), with the epoch's dropout.
    private func forward(
        _ chunk: Int, on engine: GradientEngine, step: Int, epoch: Int, order: [Int], batchLabels: [Int32],
        weights: UnsafePointer<Float>
    ) -> GradientEngine.ForwardedChunk {
        let keys = GradientEngine.DropoutKeys(seed: schedule.seed, epoch: epoch)
        let stage = stages.stage(epoch: epoch)
        let positions = schedule.chunk(chunk, ofStep: step)
        guard stage.objective.isMetric else {
            return engine.forwardForGradient(weights: weights, samples: order[positions], from: data, keys: keys)
        }
        let (rows, anchors) = metricRows(
            positions, step: step, epoch: epoch, order: order, labels: batchLabels, objective: stage.objective)
        return engine.forwardForMetricGradient(
            weights: weights, rows: rows[...], anchors: anchors, from: data, keys: keys, objective: stage.objective,
            margin: stage.margin, layer: stages.embeddingLayer)
    }

    /// The dataset indices of a chunk's anchors and of their partners (``MetricLoss``'s block layout). An anchor
    /// without partners repeats itself in their rows; its gradient is zero.
    private func metricRows(
        _ positions: Range<Int>, step: Int, epoch: Int, order: [Int], labels: [Int32], objective: TrainingObjective
    ) -> ([Int], [MetricLoss.Anchor]) {
        let batchStart = schedule.batch(step).lowerBound
        let n = positions.count
        var rows = [Int](repeating: 0, count: n * objective.rowsPerAnchor)
        var anchors: [MetricLoss.Anchor] = []
        anchors.reserveCapacity(n)
        for (i, position) in positions.enumerated() {
            let anchor = position - batchStart
            let partners = pairs.partners(of: anchor, labels: labels, objective: objective, epoch: epoch, step: step)
            rows[i] = order[position]
            for k in 1..<objective.rowsPerAnchor {
                rows[k * n + i] = order[batchStart + (partners?[k - 1] ?? anchor)]
            }
            anchors.append(MetricLoss.Anchor(
                valid: partners != nil, sameClass: partners.map { labels[$0[0]] == labels[anchor] } ?? false))
        }
        return (rows, anchors)
    }
}
