import Core
import Foundation
import Testing

/// The sharded reduction's arithmetic (Docs/ShardedReduction.md): owners that each complete their slice of the
/// chunk tree and step Adam for their shard alone give the bits of the coordinator's one full step, through a
/// stage change (a fresh Adam, fewer trainable parameters) and for any number of owners.
@Suite struct ShardOptimizerTests {
    @Test func plansCoverTheParametersInAlignedShards() {
        for (count, shards) in [(291_466, 1), (291_466, 3), (1000, 4), (48, 3)] {
            let plan = ShardPlan(parameterCount: count, shardCount: shards)
            let ranges = (0..<shards).map(plan.range(of:))
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
            for k in 1..<shards {
                #expect(ranges[k].lowerBound == ranges[k - 1].upperBound)
                #expect(ranges[k].lowerBound % 16 == 0, "shard \(k) of \(count) starts on a cache line")
                #expect(ranges[k].count >= count / shards - 16 && ranges[k].count <= count / shards + 16)
            }
        }
    }

    @Test(arguments: [2, 3, 4])
    func ownersStepToTheFullStepsBits(owners: Int) throws {
        // Two steps an epoch, the stage change after epoch 10: 22 steps cross it.
        let spec = try ExperimentSpec.load(
            path: Fixture.repositoryRoot + "/experiments/two-stage.json",
            overrides: ["dataset.trainLimit=64", "dataset.testLimit=1"])
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: 64, testLimit: 1)
        let full = try TrainingRun(spec: spec, dataset: dataset)
        let count = full.model.parameterCount
        let plan = ShardPlan(parameterCount: count, shardCount: owners)
        var shards = (0..<owners).map { rank in
            let range = plan.range(of: rank)
            var adam = full.optimizer
            adam.m = Array(adam.m[range])
            adam.v = Array(adam.v[range])
            return ShardOptimizer(range: range, weights: Array(full.weights[range]), adam: adam)
        }
        var noise = UInt64(owners)
        let scratch = ScratchBuffers()
        #expect(full.stages.stage(epoch: 10).trainableCount < count, "the second stage trains a prefix")
        for _ in 0..<22 {
            let (epoch, step) = (full.epoch, full.step)
            let tree = ChunkTree(chunkCount: full.schedule.chunkCount(step: step))
            // Any subtrees that cover the step: the chunks one by one, except the first pair.
            let nodes = [ChunkTree.Node(level: 1, index: 0)] + (2..<tree.chunkCount).map { ChunkTree.Node(level: 0, index: $0) }
            var sums: [ChunkTree.Node: [Float]] = [:]
            for node in nodes {
                sums[node] = (0..<count).map { _ in
                    noise = noise &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return Float(Int32(truncatingIfNeeded: noise >> 32)) / Float(1 << 28)
                }
            }
            for k in shards.indices {
                let range = shards[k].range
                let finite = shards[k].step(
                    epoch: epoch, step: step, tree: tree, stages: full.stages, schedule: full.schedule,
                    scratch: scratch
                ) { node, body in
                    guard let sum = sums[node] else { return false }
                    sum.withUnsafeBufferPointer { body($0.baseAddress! + range.lowerBound) }
                    return true
                }
                #expect(finite)
            }
            full.record(GradientEngine.Stats(lossSum: 1, correct: 1, count: 32))
            _ = try full.completeStep(now: 0) { update in
                tree.withRootHalves(count: count, scratch: scratch, lookup: { node, body in
                    guard let sum = sums[node] else { return false }
                    sum.withUnsafeBufferPointer { body($0.baseAddress!) }
                    return true
                }, update)
            }
            let assembled = shards.flatMap(\.weights)
            #expect(assembled.map(\.bitPattern) == full.weights.map(\.bitPattern), "epoch \(epoch) step \(step)")
        }
        #expect(full.epoch == 11 && full.optimizer.step == 2, "the run crossed the stage change (a fresh Adam)")
        #expect(shards.flatMap(\.adam.m).map(\.bitPattern) == full.optimizer.m.map(\.bitPattern))
        #expect(shards.flatMap(\.adam.v).map(\.bitPattern) == full.optimizer.v.map(\.bitPattern))
        #expect(shards.allSatisfy { $0.adam.step == full.optimizer.step && $0.adam.learningRate == full.optimizer.learningRate })
    }
}
