/// A shard owner's part of the optimizer, as ZeRO shards it: Adam's moments for the owner's parameters only, and
/// the step that completes the shard's slice of the chunk tree and updates the shard's weights.
///
/// Each element is summed in the chunk tree's order and updated alone by the same arithmetic as
/// ``TrainingRun/completeStep(now:pass:gradientSum:)``'s, with the same stage rules (a fresh Adam when a stage
/// starts, only the stage's trainable parameters), so the shards of a group give the bits of one full update.
public struct ShardOptimizer {
    /// The parameters this owner updates.
    public let range: Range<Int>
    /// Adam over ``range`` alone (its moments have `range.count` elements).
    public private(set) var adam: Adam
    /// The shard's weights, as of the last step.
    public private(set) var weights: [Float]

    /// - Parameters:
    ///   - weights: the shard's current weights (`range.count` of them).
    ///   - adam: Adam's state for the shard, as the full run's optimizer holds it for these parameters.
    public init(range: Range<Int>, weights: [Float], adam: Adam) {
        precondition(!range.isEmpty && weights.count == range.count && adam.m.count == range.count
            && adam.v.count == range.count)
        self.range = range
        self.weights = weights
        self.adam = adam
    }

    /// Steps the shard at `step` of `epoch`: `lookup` provides the received subtrees' slices of this shard (the
    /// root's halves are summed from them as ``ChunkTree/withRootHalves(count:scratch:lookup:_:)`` does).
    /// - Returns: whether the new weights are finite.
    public mutating func step(
        epoch: Int, step: Int, tree: ChunkTree, stages: TrainingStages, schedule: TrainingSchedule,
        scratch: ScratchBuffers, lookup: ChunkTree.Lookup
    ) -> Bool {
        stages.prepare(&adam, epoch: epoch, step: step)
        let trainable = min(max(stages.stage(epoch: epoch).trainableCount - range.lowerBound, 0), range.count)
        let batchSize = schedule.batch(step).count
        tree.withRootHalves(count: range.count, scratch: scratch, lookup: lookup) { sum, plus in
            AdamPass().update(
                &adam, weights: &weights, gradientSum: sum, plus: plus, batchSize: batchSize, trainable: trainable)
        }
        return weights.withUnsafeBufferPointer { w in
            w.baseAddress.map { TrainingDiverged.allFinite($0, count: w.count) } ?? true
        }
    }
}
