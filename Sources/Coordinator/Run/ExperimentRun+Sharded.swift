import Core
import Wire

/// The coordinator's side of a sharded step (Docs/ShardedReduction.md): results without gradients, the shard
/// states a gather brings back, and going back to a group's restore point.
extension ExperimentRun {
    /// Checks a member's result against the run it was given: no subtrees (its sums went to the owners), the
    /// sample count, and when `gathering`, its shard's state (`range` of the parameters).
    /// - Throws: ``WireError`` `.badRequest`: the result is refused and the worker dropped.
    func validateSharded(
        _ result: WorkResult, report: ShardReport, run: Range<Int>, shard range: Range<Int>, gathering: Bool
    ) throws(WireError) -> CheckedResult {
        guard result.subtrees.isEmpty else {
            throw WireError(.badRequest, "a sharded step's result for \(key) carries \(result.subtrees.count) subtrees")
        }
        let samples = run.reduce(0) { $0 + training.schedule.chunk($1, ofStep: training.step).count }
        guard Int(result.sampleCount) == samples, result.correctCount <= result.sampleCount else {
            throw WireError(.badRequest, "result counts \(result.sampleCount) samples (\(result.correctCount) "
                + "correct), chunks \(run) hold \(samples)")
        }
        guard result.computeSeconds.isFinite && result.computeSeconds >= 0 && report.exchangeSeconds.isFinite
            && report.exchangeSeconds >= 0
        else {
            throw WireError(.badRequest, "result reports \(result.computeSeconds) compute and "
                + "\(report.exchangeSeconds) exchange seconds")
        }
        if gathering {
            guard let state = report.state, state.weights?.values.count == range.count,
                state.m.values.count == range.count, state.v.values.count == range.count,
                state.adamStep == (stagesRestartAdam ? 1 : UInt64(training.optimizer.step + 1))
            else {
                throw WireError(.badRequest, "the result for \(key) carries no state of shard \(range) after Adam "
                    + "step \(training.optimizer.step + 1)")
            }
        }
        return CheckedResult(
            run: run, gradients: [],
            stats: GradientEngine.Stats(
                lossSum: result.lossSum, correct: Int(result.correctCount), count: Int(result.sampleCount)),
            computeSeconds: result.computeSeconds, exchangeSeconds: report.exchangeSeconds)
    }

    /// Whether the step in progress starts a stage with a fresh Adam (whose step count starts again at 1).
    private var stagesRestartAdam: Bool {
        let stage = training.stages.stage(epoch: training.epoch)
        return training.step == 0 && training.epoch == stage.epochs.lowerBound && training.epoch > 0
    }

    /// Adam's state of the parameters in `range`, for a member that owns them.
    func shardState(_ range: Range<Int>) -> ShardState {
        let adam = training.optimizer
        return ShardState(
            m: Tensor(Array(adam.m[range])), v: Tensor(Array(adam.v[range])), adamStep: UInt64(adam.step),
            learningRate: adam.learningRate)
    }

    /// Goes back to a sharded group's restore point: the results of the steps since are dropped.
    func rollBack(to point: Checkpoint) throws {
        abandonStep()
        try restore(point, metrics: training.metrics)
    }
}
