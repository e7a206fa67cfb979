/// Computes whole subtrees of a step's chunk tree on one replica: the work a worker does for an assignment, and
/// all the work of a step in the local trainer. Buffers are reused from step to step.
public final class ChunkComputer {
    public let model: Model
    public let schedule: TrainingSchedule
    public let data: ImageSet
    private let engine: GradientEngine
    private let scratch = ScratchBuffers()

    public init(model: Model, schedule: TrainingSchedule, data: ImageSet) {
        self.model = model
        self.schedule = schedule
        self.data = data
        self.engine = GradientEngine(model: model, capacity: schedule.chunkSize)
    }

    /// The summed gradient of subtree `node` of step `step` into `out` (``Model/parameterCount`` floats), and the
    /// summed statistics of its samples. `order` is the epoch's sample order (``TrainingSchedule/order(epoch:)``).
    public func subtree(
        _ node: ChunkTree.Node, step: Int, epoch: Int, order: [Int], weights: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) -> GradientEngine.Stats {
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: step))
        let keys = GradientEngine.DropoutKeys(seed: schedule.seed, epoch: epoch)
        var stats = GradientEngine.Stats()
        tree.sum(node, count: model.parameterCount, into: out, scratch: scratch) { node, buffer in
            guard node.level == 0 else { return false }
            let positions = schedule.chunk(node.index, ofStep: step)
            stats = stats + engine.chunkGradient(
                weights: weights, samples: order[positions], from: data, keys: keys, into: buffer)
            return true
        }
        return stats
    }
}
