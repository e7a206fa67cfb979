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
        let (epoch, step, nodes) = try run(of: a)
        let samples = samples(ofEpoch: epoch)
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
        let source = try weights(of: a, replicaWeights: replicaWeights)
        let (subtrees, digest) = withWeights(source, of: a) { w in
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
        return result(of: a, subtrees: subtrees, stats: stats, weightsDigest: digest, since: started)
    }

    /// A sharded member's step: the assignment's run computed with the group's `weights`, each subtree's sum into
    /// `sums.buffer(k)`, calling `final(subtrees, range)` as soon as the sums of the parameters in `range` are
    /// complete: layer by layer from the top with `byLayer`
    /// (``ChunkComputer/subtreesByLayer(_:step:epoch:order:weights:into:final:)``), else once, for all of them,
    /// after a run computed chunk by chunk. Returns the result, which carries no subtrees (the sums stay in
    /// `sums`), and the subtrees.
    /// - Throws: ``WireError`` `.badRequest` for an assignment outside the schedule; what `final` throws.
    func computeSharded(
        _ a: WorkAssignment, weights: [Float], into sums: ParameterBuffers, byLayer: Bool,
        final: ([ChunkTree.Node], Range<Int>) throws -> Void
    ) throws -> (WorkResult, [ChunkTree.Node]) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (epoch, step, nodes) = try run(of: a)
        let samples = samples(ofEpoch: epoch)
        let buffers = nodes.indices.map(sums.buffer)
        let source = try self.weights(of: a, replicaWeights: weights)
        let (stats, digest) = try withWeights(source, of: a) { w in
            if byLayer {
                return try computer.subtreesByLayer(
                    nodes, step: step, epoch: epoch, order: samples, weights: w, into: buffers) { try final(nodes, $0) }
            }
            let stats = zip(nodes, buffers).reduce(GradientEngine.Stats()) { stats, subtree in
                stats + computer.subtree(subtree.0, step: step, epoch: epoch, order: samples, weights: w, into: subtree.1)
            }
            if !nodes.isEmpty { try final(nodes, 0..<model.parameterCount) }
            return stats
        }
        return (result(of: a, subtrees: [], stats: stats, weightsDigest: digest, since: started), nodes)
    }

    /// The epoch, step and subtrees of an assignment's run of chunks.
    /// - Throws: ``WireError`` `.badRequest` for an assignment outside the schedule.
    private func run(of a: WorkAssignment) throws(WireError) -> (epoch: Int, step: Int, nodes: [ChunkTree.Node]) {
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
        let run = Int(a.chunkBegin)..<Int(a.chunkEnd)
        return (epoch, step, run.isEmpty ? [] : ChunkTree(chunkCount: chunks).cover(run))
    }

    private func result(
        of a: WorkAssignment, subtrees: [Subtree], stats: GradientEngine.Stats, weightsDigest: UInt64?,
        since started: UInt64
    ) -> WorkResult {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return WorkResult(
            experimentId: experimentId, epoch: a.epoch, step: a.step, weightsVersion: a.weightsVersion,
            subtrees: subtrees, lossSum: stats.lossSum, correctCount: UInt32(stats.correct),
            sampleCount: UInt32(stats.count), computeSeconds: seconds, weightsDigest: weightsDigest)
    }

    /// Where an assignment's weights are: the sharded group's replica or the assignment's own (an array), or the
    /// shared segment.
    private enum WeightsSource {
        case array([Float])
        case segment(SharedSegment)

        func with<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
            switch self {
            case .array(let values): try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
            case .segment(let segment): try segment.withWeights(body)
            }
        }
    }

    /// The assignment's weights: `replicaWeights` (a sharded group's), inline, or in shared memory
    /// (``sharedWeights``, else ``segment``, which the caller checked is there).
    /// - Throws: ``WireError`` `.badRequest` for an assignment without weights.
    private func weights(of a: WorkAssignment, replicaWeights: [Float]?) throws(WireError) -> WeightsSource {
        if let replicaWeights {
            guard replicaWeights.count == model.parameterCount else {
                throw WireError(.badRequest, "the sharded replica holds \(replicaWeights.count) weights, the model has "
                    + "\(model.parameterCount)")
            }
            return .array(replicaWeights)
        }
        if a.firstSharedSlot != nil, let source = sharedWeights ?? segment { return .segment(source) }
        guard let weights = a.weights, weights.values.count == model.parameterCount else {
            throw WireError(.badRequest, "assignment without weights for \(model.parameterCount) parameters")
        }
        return .array(weights.values)
    }

    /// Calls `body` with the weights to compute assignment `a` with, from `source` (corrupted when ``corruption``
    /// says so), and returns with its result their digest when the assignment asks for one.
    private func withWeights<R>(
        _ source: WeightsSource, of a: WorkAssignment, _ body: (UnsafePointer<Float>) throws -> R
    ) rethrows -> (R, UInt64?) {
        try source.with { w in
            let w = corruption?.corrupt(w, count: model.parameterCount, version: a.weightsVersion) ?? w
            let result = try body(w)
            // Read after computing: it covers the weights for as long as the chunks used them.
            return (result, a.sendWeightsDigest ? WeightsDigest.of(w, count: model.parameterCount) : nil)
        }
    }

    /// The epoch's sample order, from the schedule when it is not the one kept.
    private func samples(ofEpoch epoch: Int) -> [Int] {
        if let order, order.epoch == epoch { return order.samples }
        let samples = schedule.order(epoch: epoch)
        order = (epoch, samples)
        return samples
    }
}
