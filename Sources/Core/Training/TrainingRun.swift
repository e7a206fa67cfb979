/// One experiment's training, wherever it runs: the spec and what it builds, the weights and Adam, the position
/// (epoch, step) of the next step, the epoch's statistics and the metrics of the epochs done. `train --local`
/// (``LocalTrainer``) and the coordinator both step through it, so that they give the same bits does not rest on
/// two copies of the step staying alike. Who computes the chunks is the caller's business.
public final class TrainingRun {
    public let spec: ExperimentSpec
    public let model: Model
    public let dataset: Dataset
    public let schedule: TrainingSchedule
    public let stages: TrainingStages
    public private(set) var weights: [Float]
    public private(set) var optimizer: Adam
    /// The next step to run.
    public private(set) var epoch = 0
    public private(set) var step = 0
    /// The statistics of the epoch in progress, over the results recorded so far.
    public private(set) var epochStats = GradientEngine.Stats()
    public private(set) var metrics: [EpochMetrics] = []
    /// The evaluation embeddings before training (``TrainingRun/result(workers:)`` compares them with after).
    public private(set) var embeddingsBefore: [Float] = []
    private var epochStarted = 0.0

    public init(spec: ExperimentSpec, dataset: Dataset) throws(SpecError) {
        self.spec = spec
        self.model = try Model(spec.model)
        try dataset.check(fits: model, spec: spec.model)
        self.dataset = dataset
        self.schedule = TrainingSchedule(spec: spec, sampleCount: dataset.train.count)
        self.stages = TrainingStages(spec: spec, model: model)
        self.weights = GlorotInitializer.weights(for: model, seed: spec.seed)
        self.optimizer = Adam(parameterCount: model.parameterCount, training: spec.training)
        self.embeddingsBefore = evaluationEmbeddings().values
    }

    public var finished: Bool { epoch >= schedule.epochs }
    public var completedSteps: Int { epoch * schedule.stepsPerEpoch + step }

    /// Starts the clock of the epoch in progress (seconds on the caller's clock, which ``completeStep`` shares).
    public func startClock(now: Double) {
        epochStarted = now
    }

    /// Adds a result's statistics (a loss sum, counts) to the epoch's.
    public func record(_ stats: GradientEngine.Stats) {
        epochStats = epochStats + stats
    }

    /// Replaces statistics recorded earlier this step, when an audit found them wrong.
    public func replace(_ old: GradientEngine.Stats, with new: GradientEngine.Stats) {
        epochStats = GradientEngine.Stats(
            lossSum: epochStats.lossSum - old.lossSum + new.lossSum, correct: epochStats.correct - old.correct
                + new.correct, count: epochStats.count - old.count + new.count)
    }

    /// Completes the step: `gradientSum` calls its argument with the step's gradient sum as one or two halves (see
    /// ``ChunkTree/withRootHalves(count:scratch:lookup:_:)``), which Adam adds, divides by the batch size and steps
    /// with once (Docs/Determinism.md, point 3), the way `pass` says (the coordinator's: with a helper thread,
    /// copying the new weights to its shared weights); then the run advances.
    /// - Returns: the epoch's metrics when the step ended an epoch (`now` on the clock ``startClock(now:)`` set).
    /// - Throws: ``TrainingDiverged`` when the new weights or the epoch's loss are not finite; the run then stays at
    ///   this step, and nothing of it should be stored.
    public func completeStep(
        now: Double, pass: AdamPass = AdamPass(),
        gradientSum: (_ update: (UnsafePointer<Float>, UnsafePointer<Float>?) -> Void) -> Void
    ) throws(TrainingDiverged) -> EpochMetrics? {
        stages.prepare(&optimizer, epoch: epoch, step: step)
        let trainable = stages.stage(epoch: epoch).trainableCount
        let batchSize = schedule.batch(step).count
        gradientSum { sum, plus in
            pass.update(
                &optimizer, weights: &weights, gradientSum: sum, plus: plus, batchSize: batchSize,
                trainable: trainable)
        }
        try TrainingDiverged.check(
            weights, lossSum: epochStats.lossSum, epoch: epoch, step: step,
            learningRate: stages.stage(epoch: epoch).learningRate)
        return advance(now: now)
    }

    /// Completes a step that a sharded group took (Docs/ShardedReduction.md): the members summed the gradient and
    /// stepped Adam, each for its shard. Counts Adam's step and, when the members sent their shards' state back
    /// (`gathered`), adopts it; the last step of an epoch needs it (the epoch is evaluated).
    /// - Throws: ``TrainingDiverged`` when the gathered weights or the epoch's loss are not finite.
    public func completeShardedStep(
        now: Double, gathered: (weights: [Float], m: [Float], v: [Float])?
    ) throws(TrainingDiverged) -> EpochMetrics? {
        precondition(gathered != nil || step + 1 < schedule.stepsPerEpoch, "an epoch's last step needs the weights")
        stages.prepare(&optimizer, epoch: epoch, step: step)
        optimizer.step += 1
        if let gathered {
            precondition(gathered.weights.count == weights.count && gathered.m.count == weights.count
                && gathered.v.count == weights.count)
            weights = gathered.weights
            optimizer.m = gathered.m
            optimizer.v = gathered.v
        }
        try TrainingDiverged.check(
            gathered == nil ? [] : weights, lossSum: epochStats.lossSum, epoch: epoch, step: step,
            learningRate: stages.stage(epoch: epoch).learningRate)
        return advance(now: now)
    }

    /// Moves to the next step; returns the epoch's metrics when the step ended an epoch.
    private func advance(now: Double) -> EpochMetrics? {
        step += 1
        guard step == schedule.stepsPerEpoch else { return nil }
        let m = EpochMetrics(
            epoch: epoch + 1, loss: epochStats.lossSum / Double(epochStats.count),
            accuracy: Double(epochStats.correct) / Double(epochStats.count), seconds: now - epochStarted)
        metrics.append(m)
        epoch += 1
        step = 0
        epochStats = GradientEngine.Stats()
        epochStarted = now
        return m
    }

    /// Everything the next step reads.
    public func checkpoint(now: Double) -> Checkpoint {
        Checkpoint(
            epoch: epoch, step: step, weights: weights, adamM: optimizer.m, adamV: optimizer.v,
            adamStep: optimizer.step, epochLossSum: epochStats.lossSum, epochCorrect: epochStats.correct,
            epochCount: epochStats.count, embeddingsBefore: embeddingsBefore, createdAt: now)
    }

    /// Continues from a checkpoint and the metrics of the epochs it ends: the same as never having stopped.
    /// - Returns: false, changing nothing, when the checkpoint does not fit this run's model or schedule.
    public func restore(_ c: Checkpoint, metrics stored: [EpochMetrics]) -> Bool {
        guard c.weights.count == model.parameterCount, c.adamM.count == model.parameterCount,
            c.adamV.count == model.parameterCount, c.epoch <= schedule.epochs, c.step < schedule.stepsPerEpoch
        else { return false }
        weights = c.weights
        optimizer.m = c.adamM
        optimizer.v = c.adamV
        optimizer.step = c.adamStep
        // Not in the checkpoint: the rate is the stage's, decided by the epoch (at a stage's first step the stage
        // starts a fresh Adam at its rate anyway).
        optimizer.learningRate = Float(stages.stage(epoch: c.epoch).learningRate)
        epoch = c.epoch
        step = c.step
        epochStats = GradientEngine.Stats(lossSum: c.epochLossSum, correct: c.epochCorrect, count: c.epochCount)
        embeddingsBefore = c.embeddingsBefore
        metrics = stored
        return true
    }
}
