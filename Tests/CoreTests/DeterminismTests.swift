import Core
import Foundation
import Testing

/// The same spec trains to the same bits; a different seed does not; the distributed path (subtrees of runs
/// of chunks, completed by a coordinator) gives the local trainer's bits. Uses the Debian Fashion-MNIST files.
@Suite struct DeterminismTests {
    static func spec(_ overrides: [String]) throws -> ExperimentSpec {
        try ExperimentSpec.load(
            path: Fixture.repositoryRoot + "/experiments/exercise4.json",
            overrides: ["dataset.trainLimit=200", "training.epochs=2", "dataset.testLimit=100"] + overrides)
    }

    static func train(_ spec: ExperimentSpec) throws -> String {
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 100)
        let trainer = try LocalTrainer(spec: spec, dataset: dataset)
        _ = try trainer.train()
        return WeightsHash.sha256(trainer.run.weights)
    }

    @Test func sameSpecTwiceGivesTheSameWeights() throws {
        let spec = try Self.spec([])
        let first = try Self.train(spec)
        #expect(try Self.train(spec) == first)
        #expect(try Self.train(Self.spec(["seed=2"])) != first)
    }

    /// Workers' subtrees of any split of a step's chunks, completed the way the coordinator completes them
    /// (`ChunkTree.withRootHalves` into `TrainingRun.completeStep`), step to the bits of the whole tree computed
    /// in one process. The metric objectives draw partners across the whole batch, so they are held to the same test.
    @Test(arguments: ["crossEntropy", "contrastive", "triplet"])
    func subtreesOfAnySplitCompleteToTheLocalStep(objective: String) throws {
        let spec = try Self.spec(["training.batchSize=56", "training.objective=\(objective)"])  // 7 chunks of 8
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 1)
        let local = try TrainingRun(spec: spec, dataset: dataset)
        let order = local.schedule.order(epoch: 0)
        let count = local.model.parameterCount
        let tree = ChunkTree(chunkCount: local.schedule.chunkCount(step: 0))
        #expect(tree.chunkCount == 7)
        /// A separate "worker" (a fresh computer) computes `node`'s gradient sum under `run`'s weights.
        func subtree(_ node: ChunkTree.Node, of run: TrainingRun) -> ([Float], GradientEngine.Stats) {
            let computer = ChunkComputer(
                model: run.model, schedule: run.schedule, stages: run.stages, data: dataset.train)
            var g = [Float](repeating: 0, count: count)
            let stats = run.weights.withUnsafeBufferPointer { w in
                g.withUnsafeMutableBufferPointer { out in
                    computer.subtree(
                        node, step: 0, epoch: 0, order: order, weights: w.baseAddress!, into: out.baseAddress!)
                }
            }
            return (g, stats)
        }
        let (whole, stats) = subtree(tree.root, of: local)
        local.record(stats)
        _ = try local.completeStep(now: 0) { update in whole.withUnsafeBufferPointer { update($0.baseAddress!, nil) } }
        for runs in [[0..<7], [0..<3, 3..<7], [0..<1, 1..<2, 2..<5, 5..<7], (0..<7).map { $0..<($0 + 1) }] {
            let distributed = try TrainingRun(spec: spec, dataset: dataset)
            var received: [ChunkTree.Node: [Float]] = [:]
            for node in runs.flatMap(tree.cover) {
                let (g, stats) = subtree(node, of: distributed)
                received[node] = g
                distributed.record(stats)
            }
            _ = try distributed.completeStep(now: 0) { update in
                tree.withRootHalves(count: count, scratch: ScratchBuffers(), lookup: { node, body in
                    guard let g = received[node] else { return false }
                    g.withUnsafeBufferPointer { body($0.baseAddress!) }
                    return true
                }, update)
            }
            #expect(distributed.weights.map(\.bitPattern) == local.weights.map(\.bitPattern), "runs \(runs)")
            #expect(distributed.epochStats == local.epochStats, "loss sums and counts do not depend on the split")
        }
        #expect(whole.contains { $0 != 0 } && stats.lossSum > 0, "the step has a gradient to compare")
    }
}
