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

    public init(model: Model, schedule: TrainingSchedule, stages: TrainingStages, data: ImageSet) {
        self.model = model
        self.schedule = schedule
        self.stages = stages
        self.data = data
        self.pairs = MetricPairs(seed: schedule.seed)
        self.engine = GradientEngine(model: model, capacity: schedule.chunkSize * stages.rowsPerAnchor)
    }

    /// The summed gradient of subtree `node` of step `step` into `out` (``Model/parameterCount`` floats), and the
    /// summed statistics of its samples. `order` is the epoch's sample order (``TrainingSchedule/order(epoch:)``).
    public func subtree(
        _ node: ChunkTree.Node, step: Int, epoch: Int, order: [Int], weights: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) -> GradientEngine.Stats {
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: step))
        let keys = GradientEngine.DropoutKeys(seed: schedule.seed, epoch: epoch)
        let stage = stages.stage(epoch: epoch)
        let batchLabels = stage.objective.isMetric ? schedule.batch(step).map { data.labels[order[$0]] } : []
        var stats = GradientEngine.Stats()
        tree.sum(node, count: model.parameterCount, into: out, scratch: scratch) { node, buffer in
            guard node.level == 0 else { return false }
            let positions = schedule.chunk(node.index, ofStep: step)
            if stage.objective.isMetric {
                let (rows, anchors) = metricRows(
                    positions, step: step, epoch: epoch, order: order, labels: batchLabels, objective: stage.objective)
                stats = stats + engine.metricChunkGradient(
                    weights: weights, rows: rows[...], anchors: anchors, from: data, keys: keys,
                    objective: stage.objective, margin: stage.margin, layer: stages.embeddingLayer, into: buffer)
            } else {
                stats = stats + engine.chunkGradient(
                    weights: weights, samples: order[positions], from: data, keys: keys, into: buffer)
            }
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
