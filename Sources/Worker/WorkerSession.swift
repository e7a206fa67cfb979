import Core
import Foundation
import Wire

/// One experiment on a worker: its own dataset copy, a model replica and a chunk computer. Turns assignments
/// into results; holds no weights between steps (every assignment carries them, inline or in the shared segment).
final class WorkerSession {
    let experimentId: String
    let spec: ExperimentSpec
    let model: Model
    let schedule: TrainingSchedule
    let stages: TrainingStages
    private let computer: ChunkComputer
    /// The sample order of the epoch last asked for: computing one shuffles the whole training set.
    private var order: (epoch: Int, samples: [Int])?
    /// One gradient buffer per subtree of an assignment, reused from step to step: a result's tensors share
    /// their storage and are gone once it is sent, so the next step writes in place without allocating
    /// (Docs/Platform.md: fresh 291 KB arrays page-fault).
    private var gradients: [[Float]] = []
    /// The coordinator's shared-memory segment for this experiment, when this worker attached it.
    var segment: SharedSegment?
    /// The experiment's shared weights (read-only), when this worker attached them beside ``segment``: assignments
    /// through the segment then take their weights from here.
    var sharedWeights: SharedSegment?
    /// Debug (`--debug-flip-weight-bit`): the bit this worker flips in its weights, and at which steps.
    var corruption: WeightCorruption?

    /// Sets up experiment `experimentId` on this worker's training images (the coordinator checked their digest).
    /// - Throws: ``WireError`` `.invalidSpec`, sent back to the coordinator.
    init(experimentId: String, spec: ExperimentSpec, train: ImageSet) throws(WireError) {
        let images = train.prefix(spec.dataset.trainLimit)
        do {
            model = try Model(spec.model)
            try images.check(fits: model, spec: spec.model)
        } catch {
            throw WireError(.invalidSpec, "\(error)")
        }
        self.experimentId = experimentId
        self.spec = spec
        self.schedule = TrainingSchedule(spec: spec, sampleCount: images.count)
        self.stages = TrainingStages(spec: spec, model: model)
        self.computer = ChunkComputer(model: model, schedule: schedule, stages: stages, data: images)
    }

    /// The subtree gradients covering the assignment's chunks, with their statistics. The weights come from
    /// `replica` (a sharded group's), inline, or from shared memory (``sharedWeights``, else ``segment``); the
    /// gradients go into the result or into the segment's slots, as the assignment says.
    /// - Throws: ``WireError`` `.badRequest` for an assignment outside the schedule, without weights, or naming
    ///   shared slots this worker does not have.
    func compute(_ a: WorkAssignment, replicaWeights: [Float]? = nil) throws(WireError) -> WorkResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let epoch = Int(a.epoch)
        let step = Int(a.step)
        guard epoch < schedule.epochs, step < schedule.stepsPerEpoch else {
            throw WireError(.badRequest, "epoch \(epoch + 1) step \(step + 1) is outside the schedule")
        }
        let chunks = schedule.chunkCount(step: step)
        // A member of a sharded group may have no chunks in a step (more members than chunks).
        guard a.chunkBegin < a.chunkEnd || (a.sharded != nil && a.chunkBegin == a.chunkEnd), Int(a.chunkEnd) <= chunks
        else {
            throw WireError(.badRequest, "chunks \(a.chunkBegin)..<\(a.chunkEnd) outside 0..<\(chunks)")
        }
        let samples = samples(ofEpoch: epoch)
        let run = Int(a.chunkBegin)..<Int(a.chunkEnd)
        let nodes = run.isEmpty ? [] : ChunkTree(chunkCount: chunks).cover(run)
        var stats = GradientEngine.Stats()
        var slots: (segment: SharedSegment, first: Int)?
        if let first = a.firstSharedSlot {
            guard let segment else {
                throw WireError(.badRequest, "assignment uses a shared segment, but this worker has none attached")
            }
            guard Int(first) + nodes.count <= segment.slotCount else {
                throw WireError(.badRequest, "shared slots \(first)..<\(Int(first) + nodes.count) outside the "
                    + "segment's \(segment.slotCount)")
            }
            slots = (segment, Int(first))
        }
        var digest: UInt64?
        let subtrees = try withWeights(of: a, replicaWeights: replicaWeights) { w in
            let w = corruption?.corrupt(w, count: model.parameterCount, version: a.weightsVersion) ?? w
            defer {
                // Read after computing: it covers the weights for as long as the chunks used them.
                if a.sendWeightsDigest { digest = WeightsDigest.of(w, count: model.parameterCount) }
            }
            if let (segment, first) = slots {
                return nodes.enumerated().map { k, node in
                    segment.withMutableSlot(first + k) { g in
                        stats = stats + computer.subtree(
                            node, step: step, epoch: epoch, order: samples, weights: w, into: g)
                    }
                    return Subtree(level: UInt32(node.level), index: UInt32(node.index), gradient: .sharedSlot(
                        UInt32(first + k)))
                }
            }
            let count = model.parameterCount
            while gradients.count < nodes.count { gradients.append([Float](repeating: 0, count: count)) }
            return nodes.enumerated().map { k, node in
                gradients[k].withUnsafeMutableBufferPointer { g in
                    stats = stats + computer.subtree(
                        node, step: step, epoch: epoch, order: samples, weights: w, into: g.baseAddress!)
                }
                return Subtree(level: UInt32(node.level), index: UInt32(node.index), gradient: Tensor(gradients[k]))
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return WorkResult(
            experimentId: experimentId, epoch: a.epoch, step: a.step, weightsVersion: a.weightsVersion,
            subtrees: subtrees, lossSum: stats.lossSum, correctCount: UInt32(stats.correct),
            sampleCount: UInt32(stats.count), computeSeconds: seconds, weightsDigest: digest)
    }

    /// Calls `body` with the assignment's weights: the sharded group's replica, inline, or in shared memory
    /// (``sharedWeights``, else ``segment``, which the caller checked is there).
    /// - Throws: ``WireError`` `.badRequest` for an assignment without weights.
    private func withWeights<R>(
        of a: WorkAssignment, replicaWeights: [Float]?, _ body: (UnsafePointer<Float>) -> R
    ) throws(WireError) -> R {
        if let replicaWeights {
            guard replicaWeights.count == model.parameterCount else {
                throw WireError(.badRequest, "the sharded replica holds \(replicaWeights.count) weights, the model has "
                    + "\(model.parameterCount)")
            }
            return replicaWeights.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        if a.firstSharedSlot != nil, let source = sharedWeights ?? segment {
            return source.withWeights(body)
        }
        guard let weights = a.weights, weights.values.count == model.parameterCount else {
            throw WireError(.badRequest, "assignment without weights for \(model.parameterCount) parameters")
        }
        return weights.values.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The epoch's sample order, from the schedule when it is not the one kept.
    private func samples(ofEpoch epoch: Int) -> [Int] {
        if let order, order.epoch == epoch { return order.samples }
        let samples = schedule.order(epoch: epoch)
        order = (epoch, samples)
        return samples
    }
}
