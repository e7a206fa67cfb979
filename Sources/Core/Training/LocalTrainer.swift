import Foundation

/// Trains a spec in one process, through exactly the chunk and tree path the distributed runner uses, so the
/// final weights are the same bits as any distributed run of the same spec.
public final class LocalTrainer {
    public let spec: ExperimentSpec
    public let model: Model
    public let dataset: Dataset
    public let schedule: TrainingSchedule
    public let stages: TrainingStages
    public private(set) var weights: [Float]
    public private(set) var optimizer: Adam

    public init(spec: ExperimentSpec, dataset: Dataset) throws(SpecError) {
        self.spec = spec
        self.model = try Model(spec.model)
        try dataset.check(fits: model, spec: spec.model)
        self.dataset = dataset
        self.schedule = TrainingSchedule(spec: spec, sampleCount: dataset.train.count)
        self.stages = TrainingStages(spec: spec, model: model)
        self.weights = GlorotInitializer.weights(for: model, seed: spec.seed)
        self.optimizer = Adam(parameterCount: model.parameterCount, training: spec.training)
    }

    /// Runs every epoch, calling `beforeStep` with each step's epoch, step, sample order and weights (the
    /// cross-machine proof records the chunks with it) and `progress` after each epoch; returns the per-epoch
    /// metrics.
    /// - Throws: ``TrainingDiverged`` at the first step whose weights or loss are not finite.
    public func train(
        beforeStep: (_ epoch: Int, _ step: Int, _ order: [Int], _ weights: [Float]) -> Void = { _, _, _, _ in },
        progress: (EpochMetrics) -> Void = { _ in }
    ) throws(TrainingDiverged) -> [EpochMetrics] {
        let computer = ChunkComputer(model: model, schedule: schedule, stages: stages, data: dataset.train)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        var metrics: [EpochMetrics] = []
        for epoch in 0..<schedule.epochs {
            let start = DispatchTime.now()
            let order = schedule.order(epoch: epoch)
            var stats = GradientEngine.Stats()
            for step in 0..<schedule.stepsPerEpoch {
                beforeStep(epoch, step, order, weights)
                let root = ChunkTree(chunkCount: schedule.chunkCount(step: step)).root
                weights.withUnsafeBufferPointer { w in
                    gradient.withUnsafeMutableBufferPointer { g in
                        stats = stats + computer.subtree(
                            root, step: step, epoch: epoch, order: order, weights: w.baseAddress!,
                            into: g.baseAddress!)
                    }
                }
                stages.prepare(&optimizer, epoch: epoch, step: step)
                let trainable = stages.stage(epoch: epoch).trainableCount
                let batchSize = schedule.batch(step).count
                gradient.withUnsafeBufferPointer {
                    optimizer.update(&weights, gradientSum: $0.baseAddress!, batchSize: batchSize, trainable: trainable)
                }
                try TrainingDiverged.check(
                    weights, lossSum: stats.lossSum, epoch: epoch, step: step,
                    learningRate: stages.stage(epoch: epoch).learningRate)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let m = EpochMetrics(
                epoch: epoch + 1, loss: stats.lossSum / Double(stats.count),
                accuracy: Double(stats.correct) / Double(stats.count), seconds: seconds)
            metrics.append(m)
            progress(m)
        }
        return metrics
    }
}
