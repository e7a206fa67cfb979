import Core
import Foundation
import Wire

/// What is distributed about one running experiment on the coordinator: the received subtrees of the step in
/// progress, the shared segments they and the weights are in, audits and timings. The training itself (weights,
/// Adam, position, statistics, evaluation) is a ``TrainingRun``, the same as `train --local`'s. The scheduler
/// decides who computes what; this completes the chunk tree from what came back and steps the run once per step.
final class ExperimentRun {
    let id: String
    let specJSON: String
    let training: TrainingRun
    /// The shared weights, which every worker on this host reads: a segment without slots that Adam copies each
    /// step's weights to; nil when the coordinator has none.
    let sharedWeights: SharedSegment?
    private var received: [ChunkTree.Node: ReceivedGradient] = [:]
    /// Runs of the step in progress whose result was refused for not being finite (dealt again since).
    private var nonFiniteRuns: [Range<Int>] = []
    /// The statistics of each run stored this step, for audits.
    private var statsByRun: [Range<Int>: GradientEngine.Stats] = [:]
    /// The results of audits that disagreed with the stored run, this step, awaiting a tie-break.
    private var secondOpinions: [Range<Int>: RunOpinion] = [:]
    private let scratch = ScratchBuffers()
    let startedAt: Double
    private(set) var computeSeconds = 0.0
    private(set) var timings = StepTimings()
    private var stepDealtAt = 0.0
    private var stepCompute = 0.0
    private var stepExchange = 0.0
    /// The most workers that trained this run at once.
    private(set) var peakWorkers = 0
    /// ``weightsDigest`` of the step in progress, once computed; cleared when the weights change.
    private var digest: UInt64?

    /// - Parameter weightsSegment: makes a segment without slots for the model's parameter count, the shared
    ///   weights that each step's weights are copied to (nil: none).
    init(
        id: String, spec: ExperimentSpec, specJSON: String, dataset: Dataset, now: Double,
        weightsSegment: (_ parameterCount: Int) -> SharedSegment? = { _ in nil }
    ) throws {
        self.id = id
        self.specJSON = specJSON
        self.training = try TrainingRun(spec: spec, dataset: dataset)
        self.sharedWeights = weightsSegment(training.model.parameterCount)
        sharedWeights?.writeWeights(training.weights)
        training.startClock(now: now)
        self.startedAt = now
    }

    var key: StepKey { StepKey(epoch: training.epoch, step: training.step, version: UInt64(training.optimizer.step)) }
    var chunkCount: Int { training.schedule.chunkCount(step: training.step) }
    private var model: Model { training.model }

    /// The chunks a result's subtrees cover, if they are a contiguous run of this step's chunks.
    func chunks(coveredBy result: WorkResult) -> Range<Int>? {
        let tree = ChunkTree(chunkCount: chunkCount)
        var bounds: Range<Int>?
        for s in result.subtrees {
            guard Int(s.level) <= tree.height, Int(s.index) << Int(s.level) < chunkCount else { return nil }
            let c = tree.chunks(of: ChunkTree.Node(level: Int(s.level), index: Int(s.index)))
            if let before = bounds {
                guard before.upperBound == c.lowerBound else { return nil }
                bounds = before.lowerBound..<c.upperBound
            } else {
                bounds = c
            }
        }
        return bounds
    }

    /// XXH64 of the step's weights (the coordinator's own, which the shared weights are a copy of), computed once a
    /// step when the first result to check arrives.
    var weightsDigest: UInt64 {
        if let digest { return digest }
        let computed = WeightsDigest.of(training.weights)
        digest = computed
        return computed
    }

    /// Checks a worker's result against the run it was given.
    /// - Parameter shared: the sender's shared segment, and the first of its slots the assignment handed out (nil
    ///   when the assignment went in messages).
    /// - Returns: the result with each subtree's gradient resolved to where it is.
    /// - Throws: ``WireError`` when the subtrees are not exactly those covering `run`, a gradient has the wrong
    ///   length or is not in the slot it was given, or the sample count is off: the result is refused and the
    ///   worker dropped.
    func validate(
        _ result: WorkResult, run: Range<Int>, shared: (segment: SharedSegment, firstSlot: Int)?
    ) throws(WireError) -> CheckedResult {
        let expected = ChunkTree(chunkCount: chunkCount).cover(run)
        let nodes = result.subtrees.map { ChunkTree.Node(level: Int($0.level), index: Int($0.index)) }
        guard nodes == expected else {
            throw WireError(.badRequest, "result for \(key) covers \(nodes), expected \(expected) for chunks \(run)")
        }
        var gradients: [(node: ChunkTree.Node, gradient: ReceivedGradient)] = []
        for (k, subtree) in result.subtrees.enumerated() {
            switch subtree.gradient {
            case .inline(let tensor):
                guard tensor.values.count == model.parameterCount else {
                    throw WireError(.badRequest, "gradient of \(tensor.values.count) values, the model has "
                        + "\(model.parameterCount)")
                }
                gradients.append((nodes[k], .owned(tensor.values)))
            case .sharedSlot(let slot):
                guard let shared, Int(slot) == shared.firstSlot + k else {
                    throw WireError(.badRequest, "subtree \(k) of the result for \(key) names shared slot \(slot), "
                        + (shared.map { "slot \($0.firstSlot + k) was given" } ?? "the assignment gave no shared slots"))
                }
                gradients.append((nodes[k], .shared(shared.segment, slot: Int(slot))))
            }
        }
        return CheckedResult(
            run: run, gradients: gradients, stats: try checkedStats(of: result, run: run),
            computeSeconds: result.computeSeconds)
    }

    /// A result's statistics, once its sample count is that of `run`'s chunks and its counts and compute time make
    /// sense (either reduction's results).
    /// - Throws: ``WireError`` `.badRequest` otherwise.
    func checkedStats(of result: WorkResult, run: Range<Int>) throws(WireError) -> GradientEngine.Stats {
        let samples = run.reduce(0) { $0 + training.schedule.chunk($1, ofStep: training.step).count }
        guard Int(result.sampleCount) == samples else {
            throw WireError(.badRequest, "result counts \(result.sampleCount) samples, chunks \(run) hold \(samples)")
        }
        guard result.correctCount <= result.sampleCount else {
            throw WireError(.badRequest, "result counts \(result.correctCount) correct of \(result.sampleCount) samples")
        }
        guard result.computeSeconds.isFinite && result.computeSeconds >= 0 else {
            throw WireError(.badRequest, "result reports \(result.computeSeconds) compute seconds")
        }
        return GradientEngine.Stats(
            lossSum: result.lossSum, correct: Int(result.correctCount), count: Int(result.sampleCount))
    }

    /// Checks that a validated result's gradients and loss are finite. The first non-finite result for a chunk is
    /// refused like a malformed one (its worker is dropped and its chunks dealt again); a second one for any of
    /// the same chunks, from the worker that recomputed them, means the step itself diverged.
    /// - Throws: ``WireError`` for the first, ``TrainingDiverged`` for the second.
    func checkFinite(_ result: CheckedResult) throws {
        let run = result.run
        let finite = result.stats.lossSum.isFinite && result.gradients.allSatisfy { _, gradient in
            gradient.withPointer { TrainingDiverged.allFinite($0, count: model.parameterCount) }
        }
        guard !finite else { return }
        if let earlier = nonFiniteRuns.first(where: { $0.overlaps(run) }) {
            throw TrainingDiverged(
                epoch: training.epoch + 1, step: training.step,
                learningRate: training.stages.stage(epoch: training.epoch).learningRate,
                what: "two workers computed a gradient or loss that is not finite (NaN or infinity) for chunks "
                    + "\(earlier.clamped(to: run)) of the step")
        }
        nonFiniteRuns.append(run)
        throw WireError(.badRequest, "result for \(key), chunks \(run): the gradient or the loss is not finite (NaN "
            + "or infinity); its chunks are computed again by another worker")
    }

    /// Keeps a validated result's subtrees and statistics.
    func store(_ result: CheckedResult) {
        for (node, gradient) in result.gradients { received[node] = gradient }
        statsByRun[result.run] = result.stats
        training.record(result.stats)
        samplesTrained += result.stats.count
        computeSeconds += result.computeSeconds
        stepCompute = max(stepCompute, result.computeSeconds)
        stepExchange = max(stepExchange, result.exchangeSeconds)
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
    func audit(_ result: CheckedResult, tieBreak: Bool) -> AuditVerdict {
        let run = result.run
        let opinion = RunOpinion(result, parameterCount: model.parameterCount)
        let stored = storedOpinion(of: run)
        if opinion == stored { return .agrees }
        guard tieBreak else {
            secondOpinions[run] = opinion
            return .differs
        }
        guard secondOpinions[run] == opinion else { return .agreesWithNeither }
        for (node, values) in opinion.gradients { received[node] = .owned(values) }
        training.replace(stored.stats, with: opinion.stats)
        statsByRun[run] = opinion.stats
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
        training.startClock(now: now)
        trainingStartedAt = now
    }

    /// Continues from a checkpoint: the same as never having stopped.
    /// - Throws: when the checkpoint does not fit this run's model or schedule.
    func restore(_ c: Checkpoint, metrics stored: [EpochMetrics]) throws {
        guard training.restore(c, metrics: stored) else {
            throw WireError(.internal, "the checkpoint of \(id) does not fit its spec")
        }
        sharedWeights?.writeWeights(training.weights)
        digest = nil
    }

    /// The step's work went out to `workers` workers at `now`.
    func stepDealt(now: Double, workers: Int) {
        stepDealtAt = now
        stepCompute = 0
        stepExchange = 0
        peakWorkers = max(peakWorkers, workers)
    }

    /// Completes the tree from the received subtrees and steps the run (Adam with `adamHelper`, if given, and
    /// copying the new weights to the shared ones). Returns the epoch's metrics when the step ended an epoch.
    /// - Throws: ``TrainingDiverged`` when the new weights or the epoch's loss are not finite; the run then stays
    ///   at this step, and nothing of it should be stored.
    func completeStep(now: Double, adamHelper: BlockPass? = nil) throws(TrainingDiverged) -> EpochMetrics? {
        let started = DispatchTime.now().uptimeNanoseconds
        let tree = ChunkTree(chunkCount: chunkCount)
        var reduced = started
        defer { abandonStep() }
        let pass = AdamPass(helper: adamHelper, mirror: sharedWeights?.mutableWeights.baseAddress)
        let metrics = try training.completeStep(now: now, pass: pass) { update in
            tree.withRootHalves(count: model.parameterCount, scratch: scratch, lookup: lookup) { sum, plus in
                reduced = DispatchTime.now().uptimeNanoseconds
                update(sum, plus)
            }
        }
        recordTimings(started: started, reduced: reduced, now: now)
        return metrics
    }

    /// Completes a step a sharded group took: Adam's step counted, the gathered state adopted (when the step
    /// gathered it). Returns the epoch's metrics when the step ended an epoch.
    /// - Throws: ``TrainingDiverged`` when the gathered weights or the epoch's loss are not finite.
    func completeShardedStep(
        now: Double, gathered: (weights: [Float], m: [Float], v: [Float])?
    ) throws(TrainingDiverged) -> EpochMetrics? {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { abandonStep() }
        let metrics = try training.completeShardedStep(now: now, gathered: gathered)
        if gathered != nil { sharedWeights?.writeWeights(training.weights) }
        recordTimings(started: started, reduced: started, now: now)
        return metrics
    }

    private func recordTimings(started: UInt64, reduced: UInt64, now: Double) {
        let stepped = DispatchTime.now().uptimeNanoseconds
        timings.steps += 1
        timings.reduce += Double(reduced - started) / 1e9
        timings.optimizer += Double(stepped - reduced) / 1e9
        timings.compute += stepCompute
        timings.exchange += stepExchange
        timings.wall += now - stepDealtAt + Double(stepped - started) / 1e9
    }

    /// Forgets what the step in progress received (it completed, or a sharded group rolled back).
    func abandonStep() {
        received.removeAll(keepingCapacity: true)
        nonFiniteRuns.removeAll()
        statsByRun.removeAll()
        secondOpinions.removeAll()
        digest = nil
    }

    /// Reads a received subtree where its result left it (a message, a shared slot).
    private func lookup(_ node: ChunkTree.Node, _ body: (UnsafePointer<Float>) -> Void) -> Bool {
        guard let gradient = received[node] else { return false }
        gradient.withPointer(body)
        return true
    }

    /// The result, with the evaluation after training computed here; `workers` are those connected now.
    func result(workers: Int) throws -> (TrainingResult, ExperimentArtifacts) {
        try training.result(workers: max(workers, peakWorkers))
    }
}
