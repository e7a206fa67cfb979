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
        let stats = try checkedStats(of: result, run: run)
        guard report.exchangeSeconds.isFinite && report.exchangeSeconds >= 0 else {
            throw WireError(.badRequest, "result reports \(report.exchangeSeconds) exchange seconds")
        }
        if gathering {
            guard let state = report.state, state.weights?.values.count == range.count,
                state.m.values.count == range.count, state.v.values.count == range.count,
                state.adamStep == (training.stages.startsFreshAdam(epoch: training.epoch, step: training.step)
                    ? 1 : UInt64(training.optimizer.step + 1))
            else {
                throw WireError(.badRequest, "the result for \(key) carries no state of shard \(range) after Adam "
                    + "step \(training.optimizer.step + 1)")
            }
        }
        return CheckedResult(
            run: run, gradients: [], stats: stats, computeSeconds: result.computeSeconds,
            exchangeSeconds: report.exchangeSeconds)
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
