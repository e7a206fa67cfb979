import Core
import Foundation
import Wire

/// The numbers of one running experiment on the coordinator: weights, Adam, the received subtrees of the step in
/// progress, epoch statistics and the evaluation. The scheduler decides who computes what; this completes the
/// chunk tree, divides by the batch size once and steps Adam once per step (determinism contract 3).
final class ExperimentRun {
    let id: String
    let spec: ExperimentSpec
    let specJSON: String
    let model: Model
    let schedule: TrainingSchedule
    let stages: TrainingStages
    let dataset: Dataset
    private(set) var weights: [Float]
    /// The shared weights, which every worker on this host reads: a segment without slots that Adam copies each
    /// step's weights to; nil when the coordinator has none.
    let sharedWeights: SharedSegment?
    private(set) var optimizer: Adam
    /// The next step to run.
    private(set) var epoch = 0
    private(set) var step = 0
    private(set) var epochStats = GradientEngine.Stats()
    private(set) var metrics: [EpochMetrics] = []
    private(set) var embeddingsBefore: [Float] = []
    private var received: [ChunkTree.Node: ReceivedGradient] = [:]
    /// Runs of the step in progress whose result was refused for not being finite (dealt again since).
    private var nonFiniteRuns: [Range<Int>] = []
    /// The statistics of each run stored this step, for audits.
    private var statsByRun: [Range<Int>: GradientEngine.Stats] = [:]
    /// The results of audits that disagreed with the stored run, this step, awaiting a tie-break.
    private var secondOpinions: [Range<Int>: RunOpinion] = [:]
    private let scratch = ScratchBuffers()
    private var epochStarted: Double
    let startedAt: Double
    private(set) var computeSeconds = 0.0
    private(set) var timings = StepTimings()
    private var stepDealtAt = 0.0
    private var stepCompute = 0.0
    /// The most workers that trained this run at once.
    private(set) var peakWorkers = 0

    /// - Parameter weightsSegment: makes a segment without slots for the model's parameter count, the shared
    ///   weights that each step's weights are copied to (nil: none).
    init(
        id: String, spec: ExperimentSpec, specJSON: String, dataset: Dataset, now: Double,
        weightsSegment: (_ parameterCount: Int) -> SharedSegment? = { _ in nil }
    ) throws {
        self.id = id
        self.spec = spec
        self.specJSON = specJSON
        self.model = try Model(spec.model)
        self.dataset = dataset
        self.schedule = TrainingSchedule(spec: spec, sampleCount: dataset.train.count)
        self.stages = TrainingStages(spec: spec, model: model)
        self.weights = GlorotInitializer.weights(for: model, seed: spec.seed)
        self.sharedWeights = weightsSegment(model.parameterCount)
        sharedWeights?.writeWeights(weights)
        self.optimizer = Adam(parameterCount: model.parameterCount, training: spec.training)
        self.epochStarted = now
        self.startedAt = now
        self.embeddingsBefore = evaluationEmbeddings()
    }

    var key: StepKey { StepKey(epoch: epoch, step: step, version: UInt64(optimizer.step)) }
    var chunkCount: Int { schedule.chunkCount(step: step) }
    var finished: Bool { epoch >= schedule.epochs }
    var completedSteps: Int { epoch * schedule.stepsPerEpoch + step }

    /// The embedding of the first `evaluation.samples` training images under the current weights.
    func evaluationEmbeddings() -> [Float] {
        let samples = min(spec.evaluation.samples, dataset.train.count)
        return Evaluator(model: model).embeddings(
            layer: spec.evaluation.layer, count: samples, of: dataset.train, weights: weights
        ).values
    }

    /// The chunks a result's subtrees cover, if they are a contiguous run of this step's chunks.
    func chunks(coveredBy result: WorkResult) -> Range<Int>? {
        let tree = ChunkTree(chunkCount: chunkCount)
        var bounds: Range<Int>?
        for s in result.subtrees {
            guard Int(s.level) <= tree.height, Int(s.index) << Int(s.level) < chunkCount else { return nil }
            let c = tree.chunks(of: ChunkTree.Node(level: Int(s.level), index: Int(s.index)))
            guard bounds == nil || bounds!.upperBound == c.lowerBound else { return nil }
            bounds = (bounds?.lowerBound ?? c.lowerBound)..<c.upperBound
        }
        return bounds
    }

    /// Checks a worker's result against the run it was given.
    /// - Parameter firstSharedSlot: the first slot of the worker's shared segment the assignment handed out; nil
    ///   when it went in messages.
    /// - Throws: ``WireError`` when the subtrees are not exactly those covering `run`, a gradient has the wrong
    ///   length or is not in the slot it was given, or the sample count is off: the result is refused and the
    ///   worker dropped.
    func validate(_ result: WorkResult, run: Range<Int>, firstSharedSlot: Int?) throws(WireError) {
        let expected = ChunkTree(chunkCount: chunkCount).cover(run)
        let nodes = result.subtrees.map { ChunkTree.Node(level: Int($0.level), index: Int($0.index)) }
        guard nodes == expected else {
            throw WireError(.badRequest, "result for \(key) covers \(nodes), expected \(expected) for chunks \(run)")
        }
        for (k, subtree) in result.subtrees.enumerated() {
            switch subtree.gradient {
            case .inline(let tensor) where tensor.values.count != model.parameterCount:
                throw WireError(.badRequest, "gradient of \(tensor.values.count) values, the model has "
                    + "\(model.parameterCount)")
            case .sharedSlot(let slot) where firstSharedSlot.map({ Int(slot) != $0 + k }) ?? true:
                throw WireError(.badRequest, "subtree \(k) of the result for \(key) names shared slot \(slot), "
                    + (firstSharedSlot.map { "slot \($0 + k) was given" } ?? "the assignment gave no shared slots"))
            default:
                break
            }
        }
        let samples = run.reduce(0) { $0 + schedule.chunk($1, ofStep: step).count }
        guard Int(result.sampleCount) == samples else {
            throw WireError(.badRequest, "result counts \(result.sampleCount) samples, chunks \(run) hold \(samples)")
        }
        guard result.correctCount <= result.sampleCount else {
            throw WireError(.badRequest, "result counts \(result.correctCount) correct of \(result.sampleCount) samples")
        }
        guard result.computeSeconds.isFinite && result.computeSeconds >= 0 else {
            throw WireError(.badRequest, "result reports \(result.computeSeconds) compute seconds")
        }
    }

    /// Checks that a validated result's gradients and loss are finite. The first non-finite result for a chunk is
    /// refused like a malformed one (its worker is dropped and its chunks dealt again); a second one for any of
    /// the same chunks, from the worker that recomputed them, means the step itself diverged.
    /// - Parameter segment: the sender's shared segment, where its `sharedSlot` gradients are.
    /// - Throws: ``WireError`` for the first, ``TrainingDiverged`` for the second.
    func checkFinite(_ result: WorkResult, run: Range<Int>, segment: SharedSegment?) throws {
        let finite = result.lossSum.isFinite && result.subtrees.allSatisfy { subtree in
            switch subtree.gradient {
            case .inline(let tensor):
                tensor.values.withUnsafeBufferPointer {
                    $0.baseAddress.map { TrainingDiverged.allFinite($0, count: tensor.values.count) } ?? true
                }
            case .sharedSlot(let slot):
                segment?.withSlot(Int(slot)) { TrainingDiverged.allFinite($0, count: model.parameterCount) } ?? false
            }
        }
        guard !finite else { return }
        if let earlier = nonFiniteRuns.first(where: { $0.overlaps(run) }) {
            throw TrainingDiverged(
                epoch: epoch + 1, step: step, learningRate: stages.stage(epoch: epoch).learningRate,
                what: "two workers computed a gradient or loss that is not finite (NaN or infinity) for chunks "
                    + "\(earlier.clamped(to: run)) of the step")
        }
        nonFiniteRuns.append(run)
        throw WireError(.badRequest, "result for \(key), chunks \(run): the gradient or the loss is not finite (NaN "
            + "or infinity); its chunks are computed again by another worker")
    }

    /// Keeps a validated result's subtrees and statistics; `segment` is the sender's shared segment.
    func store(_ result: WorkResult, run: Range<Int>, segment: SharedSegment?) {
        for s in result.subtrees {
            let node = ChunkTree.Node(level: Int(s.level), index: Int(s.index))
            switch s.gradient {
            case .inline(let tensor): received[node] = .owned(tensor.values)
            case .sharedSlot(let slot): received[node] = .shared(segment!, slot: Int(slot))
            }
        }
        let stats = GradientEngine.Stats(
            lossSum: result.lossSum, correct: Int(result.correctCount), count: Int(result.sampleCount))
        statsByRun[run] = stats
        epochStats = epochStats + stats
        samplesTrained += Int(result.sampleCount)
        computeSeconds += result.computeSeconds
        stepCompute = max(stepCompute, result.computeSeconds)
    }

    /// What the stored result for `run` says (a copy).
    private func storedOpinion(of run: Range<Int>) -> RunOpinion {
        let stats = statsByRun[run] ?? GradientEngine.Stats()
        var gradients: [ChunkTree.Node: [Float]] = [:]
        for node in ChunkTree(chunkCount: chunkCount).cover(run) {
            gradients[node] = received[node]?.withPointer {
                Array(UnsafeBufferPointer(start: $0, count: model.parameterCount))
            } ?? []
        }
        return RunOpinion(
            gradients: gradients, lossSumBits: stats.lossSum.bitPattern, correct: UInt32(stats.correct),
            count: UInt32(stats.count))
    }

    /// How a recomputation of a stored run compares.
    enum AuditVerdict: Equatable {
        /// The same bits as the stored result.
        case agrees
        /// An audit that differs from the stored result: kept as the second opinion, for a tie-break.
        case differs
        /// A tie-break that agrees with the second opinion: the stored result was wrong and is replaced.
        case replacedStored
        /// A tie-break that agrees with neither.
        case agreesWithNeither
    }

    /// Compares a validated recomputation of `run` with the stored result (and, for a tie-break, with the second
    /// opinion an audit left).
    func audit(_ result: WorkResult, run: Range<Int>, segment: SharedSegment?, tieBreak: Bool) -> AuditVerdict {
        let opinion = RunOpinion(result, parameterCount: model.parameterCount, segment: segment)
        let stored = storedOpinion(of: run)
        if opinion == stored { return .agrees }
        guard tieBreak else {
            secondOpinions[run] = opinion
            return .differs
        }
        guard secondOpinions[run] == opinion else { return .agreesWithNeither }
        for (node, values) in opinion.gradients { received[node] = .owned(values) }
        let (old, new) = (stored.stats, opinion.stats)
        epochStats = GradientEngine.Stats(
            lossSum: epochStats.lossSum - old.lossSum + new.lossSum, correct: epochStats.correct - old.correct
                + new.correct, count: epochStats.count - old.count + new.count)
        statsByRun[run] = new
        return .replacedStored
    }

    /// Whether the first step has been dealt.
    private(set) var trainingStarted = false

    private(set) var trainingStartedAt = 0.0
    /// Samples trained since this process started the run (for samples per second).
    private(set) var samplesTrained = 0

    /// Starts the clock of the first epoch when the first step is dealt.
    func markTrainingStarted(now: Double) {
        trainingStarted = true
        epochStarted = now
        trainingStartedAt = now
    }

    /// Everything the next step reads, for the store.
    func checkpoint(now: Double) -> Checkpoint {
        Checkpoint(
            epoch: epoch, step: step, weights: weights, adamM: optimizer.m, adamV: optimizer.v,
            adamStep: optimizer.step, epochLossSum: epochStats.lossSum, epochCorrect: epochStats.correct,
            epochCount: epochStats.count, embeddingsBefore: embeddingsBefore, createdAt: now)
    }

    /// Continues from a checkpoint: the same as never having stopped.
    /// - Throws: when the checkpoint does not fit this run's model or schedule.
    func restore(_ c: Checkpoint, metrics stored: [EpochMetrics]) throws {
        guard c.weights.count == model.parameterCount, c.adamM.count == model.parameterCount,
            c.adamV.count == model.parameterCount, c.epoch <= schedule.epochs, c.step < schedule.stepsPerEpoch
        else {
            throw WireError(.internal, "the checkpoint of \(id) does not fit its spec")
        }
        weights = c.weights
        sharedWeights?.writeWeights(weights)
        optimizer.m = c.adamM
        optimizer.v = c.adamV
        optimizer.step = c.adamStep
        epoch = c.epoch
        step = c.step
        epochStats = GradientEngine.Stats(lossSum: c.epochLossSum, correct: c.epochCorrect, count: c.epochCount)
        embeddingsBefore = c.embeddingsBefore
        metrics = stored
    }

    /// The step's work went out to `workers` workers at `now`.
    func stepDealt(now: Double, workers: Int) {
        stepDealtAt = now
        stepCompute = 0
        peakWorkers = max(peakWorkers, workers)
    }

    /// Completes the tree, steps Adam (with `pass`'s helper, if given), advances. Returns the epoch's metrics when
    /// the step ended an epoch.
    /// - Throws: ``TrainingDiverged`` when the new weights or the epoch's loss are not finite; the run then stays
    ///   at this step, and nothing of it should be stored.
    func completeStep(now: Double, pass: BlockPass? = nil) throws(TrainingDiverged) -> EpochMetrics? {
        let started = DispatchTime.now().uptimeNanoseconds
        stages.prepare(&optimizer, epoch: epoch, step: step)
        let trainable = stages.stage(epoch: epoch).trainableCount
        let batchSize = schedule.batch(step).count
        var reduced = started
        withRootHalves(ChunkTree(chunkCount: chunkCount)) { sum, plus in
            reduced = DispatchTime.now().uptimeNanoseconds
            optimizer.update(
                &weights, gradientSum: sum, plus: plus, batchSize: batchSize, trainable: trainable,
                copy: sharedWeights?.mutableWeights.baseAddress, pass: pass)
        }
        received.removeAll(keepingCapacity: true)
        nonFiniteRuns.removeAll()
        statsByRun.removeAll()
        secondOpinions.removeAll()
        try TrainingDiverged.check(
            weights, lossSum: epochStats.lossSum, epoch: epoch, step: step,
            learningRate: stages.stage(epoch: epoch).learningRate)
        let stepped = DispatchTime.now().uptimeNanoseconds
        timings.steps += 1
        timings.reduce += Double(reduced - started) / 1e9
        timings.optimizer += Double(stepped - reduced) / 1e9
        timings.compute += stepCompute
        timings.wall += now - stepDealtAt + Double(stepped - started) / 1e9
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

    /// Calls `body` with the step's gradient sum as one or two halves for Adam to add: the root when one worker
    /// returned it whole, else the root's children, each read where its result left it (a message, a shared slot)
    /// or summed from smaller subtrees into a scratch buffer. The root's own addition happens inside Adam's pass.
    private func withRootHalves(_ tree: ChunkTree, _ body: (UnsafePointer<Float>, UnsafePointer<Float>?) -> Void) {
        if let whole = received[tree.root] {
            whole.withPointer { body($0, nil) }
            return
        }
        // A tree of height ≥ 1 always has a real right child at the root (its height is the least that fits).
        withValue(of: tree.root.left, in: tree) { left in
            withValue(of: tree.root.right, in: tree) { right in body(left, right) }
        }
    }

    private func withValue(
        of node: ChunkTree.Node, in tree: ChunkTree, _ body: (UnsafePointer<Float>) -> Void
    ) {
        if let gradient = received[node] {
            gradient.withPointer(body)
            return
        }
        let count = model.parameterCount
        let buffer = scratch.take(count)
        defer { scratch.give(buffer) }
        tree.sum(node, count: count, into: buffer, scratch: scratch) { node, out in
            guard let gradient = received[node] else { return false }
            gradient.withPointer { out.update(from: $0, count: count) }
            return true
        }
        body(buffer)
    }

    /// The result, with the evaluation after training (embeddings, losses, test accuracy) computed here.
    func result(now: Double, workers: Int) throws -> (TrainingResult, ExperimentArtifacts) {
        let after = evaluationEmbeddings()
        let samples = min(spec.evaluation.samples, dataset.train.count)
        let labels = dataset.train.labels[0..<samples].map(Int.init)
        let width = model.layer(named: spec.evaluation.layer)!.outputSize
        let losses = try EmbeddingLossReport(
            before: embeddingsBefore, after: after, width: width, labels: labels, evaluation: spec.evaluation)
        let heldOut = HeldOutEvaluation(spec: spec, model: model, dataset: dataset, weights: weights)
        let seconds = metrics.reduce(0) { $0 + $1.seconds }
        var result = TrainingResult(
            name: spec.name, seed: spec.seed, epochs: metrics, testAccuracy: heldOut.testAccuracy, trainSeconds: seconds,
            samplesPerSecond: Double(schedule.sampleCount * schedule.epochs) / seconds,
            weightsSha256: WeightsHash.sha256(weights), parameterCount: model.parameterCount,
            steps: schedule.totalSteps, losses: losses, workers: max(workers, peakWorkers))
        result.embeddingQuality = heldOut.quality
        result.setup = RunSetup(spec: spec)
        result.drawSeeds = try DrawSeedReport.evaluate(
            before: embeddingsBefore, after: after, width: width, labels: labels, evaluation: spec.evaluation)
        result.embeddings = EmbeddingSnapshot(
            labels: labels, width: width, before: embeddingsBefore, after: after, classNames: spec.dataset.classNames)
        let artifacts = ExperimentArtifacts(
            before: embeddingsBefore, after: after, labels: labels, width: width, weights: weights)
        return (result, artifacts)
    }
}
