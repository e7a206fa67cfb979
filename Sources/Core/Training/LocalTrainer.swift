import Foundation

/// Trains a spec in one process: it computes each step's chunk tree whole and steps the same ``TrainingRun`` the
/// coordinator steps, so the final weights are the same bits as any distributed run of the same spec.
public final class LocalTrainer {
    public let run: TrainingRun

    public init(spec: ExperimentSpec, dataset: Dataset) throws(SpecError) {
        self.run = try TrainingRun(spec: spec, dataset: dataset)
    }

    /// Runs every epoch, calling `beforeStep` with each step's epoch, step, sample order and weights (the
    /// cross-machine proof records the chunks with it) and `progress` after each epoch; returns the per-epoch
    /// metrics.
    /// - Throws: ``TrainingDiverged`` at the first step whose weights or loss are not finite.
    public func train(
        beforeStep: (_ epoch: Int, _ step: Int, _ order: [Int], _ weights: [Float]) -> Void = { _, _, _, _ in },
        progress: (EpochMetrics) -> Void = { _ in }
    ) throws(TrainingDiverged) -> [EpochMetrics] {
        let (model, schedule) = (run.model, run.schedule)
        let computer = ChunkComputer(model: model, schedule: schedule, stages: run.stages, data: run.dataset.train)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        run.startClock(now: Self.now())
        for epoch in 0..<schedule.epochs {
            let order = schedule.order(epoch: epoch)
            for step in 0..<schedule.stepsPerEpoch {
                beforeStep(epoch, step, order, run.weights)
                let root = ChunkTree(chunkCount: schedule.chunkCount(step: step)).root
                let stats = run.weights.withUnsafeBufferPointer { w in
                    gradient.withUnsafeMutableBufferPointer { g in
                        computer.subtree(
                            root, step: step, epoch: epoch, order: order, weights: w.baseAddress!, into: g.baseAddress!)
                    }
                }
                run.record(stats)
                let ended = try run.completeStep(now: Self.now()) { update in
                    gradient.withUnsafeBufferPointer { update($0.baseAddress!, nil) }
                }
                if let ended { progress(ended) }
            }
        }
        return run.metrics
    }

    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
