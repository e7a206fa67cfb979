import Core
import Foundation
import Wire

/// One experiment on a worker: its own dataset copy, a model replica and a chunk computer. Turns assignments
/// into results; holds no weights between steps (every assignment carries them).
final class WorkerSession {
    let experimentId: String
    let spec: ExperimentSpec
    let model: Model
    let schedule: TrainingSchedule
    private let computer: ChunkComputer
    private var order: (epoch: Int, samples: [Int])?
    /// One gradient buffer per subtree of an assignment, reused from step to step: a result's tensors share
    /// their storage and are gone once it is sent, so the next step writes in place without allocating
    /// (PLATFORM.md: fresh 291 KB arrays page-fault).
    private var gradients: [[Float]] = []

    /// Sets up experiment `experimentId` on this worker's training images (the coordinator checked their digest).
    /// - Throws: ``WireError`` `.invalidSpec`, sent back to the coordinator.
    init(experimentId: String, spec: ExperimentSpec, train: ImageSet) throws(WireError) {
        let images = train.prefix(spec.dataset.trainLimit)
        do {
            model = try Model(spec.model)
        } catch {
            throw WireError(.invalidSpec, "\(error)")
        }
        guard model.inputSize == images.sampleSize else {
            throw WireError(.invalidSpec, "model input \(spec.model.input) does not fit the dataset's images")
        }
        self.experimentId = experimentId
        self.spec = spec
        self.schedule = TrainingSchedule(spec: spec, sampleCount: images.count)
        self.computer = ChunkComputer(
            model: model, schedule: schedule, stages: TrainingStages(spec: spec, model: model), data: images)
    }

    /// The subtree gradients covering the assignment's chunks, with their statistics.
    /// - Throws: ``WireError`` `.badRequest` for an assignment outside the schedule or without weights.
    func compute(_ a: WorkAssignment) throws(WireError) -> WorkResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let epoch = Int(a.epoch)
        let step = Int(a.step)
        guard epoch < schedule.epochs, step < schedule.stepsPerEpoch else {
            throw WireError(.badRequest, "epoch \(epoch + 1) step \(step + 1) is outside the schedule")
        }
        let chunks = schedule.chunkCount(step: step)
        guard a.chunkBegin < a.chunkEnd, Int(a.chunkEnd) <= chunks else {
            throw WireError(.badRequest, "chunks \(a.chunkBegin)..<\(a.chunkEnd) outside 0..<\(chunks)")
        }
        guard let weights = a.weights, weights.values.count == model.parameterCount else {
            throw WireError(.badRequest, "assignment without weights for \(model.parameterCount) parameters")
        }
        if order?.epoch != epoch { order = (epoch, schedule.order(epoch: epoch)) }
        let tree = ChunkTree(chunkCount: chunks)
        var stats = GradientEngine.Stats()
        var subtrees: [Subtree] = []
        let count = model.parameterCount
        for (k, node) in tree.cover(Int(a.chunkBegin)..<Int(a.chunkEnd)).enumerated() {
            if k == gradients.count { gradients.append([Float](repeating: 0, count: count)) }
            weights.values.withUnsafeBufferPointer { w in
                gradients[k].withUnsafeMutableBufferPointer { g in
                    stats = stats + computer.subtree(
                        node, step: step, epoch: epoch, order: order!.samples, weights: w.baseAddress!,
                        into: g.baseAddress!)
                }
            }
            subtrees.append(
                Subtree(level: UInt32(node.level), index: UInt32(node.index), gradient: Tensor(gradients[k])))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return WorkResult(
            experimentId: experimentId, epoch: a.epoch, step: a.step, weightsVersion: a.weightsVersion,
            subtrees: subtrees, lossSum: stats.lossSum, correctCount: UInt32(stats.correct),
            sampleCount: UInt32(stats.count), computeSeconds: seconds)
    }
}
