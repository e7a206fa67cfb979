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
        return WeightsHash.sha256(trainer.weights)
    }

    @Test func sameSpecTwiceGivesTheSameWeights() throws {
        let spec = try Self.spec([])
        let first = try Self.train(spec)
        #expect(try Self.train(spec) == first)
        #expect(try Self.train(Self.spec(["seed=2"])) != first)
    }

    /// The metric objectives draw partners across the whole batch, so they are held to the same test.
    @Test(arguments: ["crossEntropy", "contrastive", "triplet"])
    func subtreesOfAnySplitCompleteToTheLocalGradient(objective: String) throws {
        let spec = try Self.spec(["training.batchSize=56", "training.objective=\(objective)"])  // 7 chunks of 8
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 1)
        let model = try Model(spec.model)
        let schedule = TrainingSchedule(spec: spec, sampleCount: dataset.train.count)
        let weights = GlorotInitializer.weights(for: model, seed: spec.seed)
        let order = schedule.order(epoch: 1)
        let count = model.parameterCount
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: 2))
        #expect(tree.chunkCount == 7)
        let computer = ChunkComputer(
            model: model, schedule: schedule, stages: TrainingStages(spec: spec, model: model), data: dataset.train)
        var reference = [Float](repeating: 0, count: count)
        let local = weights.withUnsafeBufferPointer { w in
            reference.withUnsafeMutableBufferPointer { r in
                computer.subtree(tree.root, step: 2, epoch: 1, order: order, weights: w.baseAddress!,
                                 into: r.baseAddress!)
            }
        }
        for runs in [[0..<7], [0..<3, 3..<7], [0..<1, 1..<2, 2..<5, 5..<7], (0..<7).map { $0..<($0 + 1) }] {
            // Separate "workers" (fresh computers) each return the subtrees covering their run.
            var received: [ChunkTree.Node: [Float]] = [:]
            var stats = GradientEngine.Stats()
            for run in runs {
                let worker = ChunkComputer(
                    model: model, schedule: schedule, stages: TrainingStages(spec: spec, model: model), data: dataset.train)
                for node in tree.cover(run) {
                    var g = [Float](repeating: 0, count: count)
                    weights.withUnsafeBufferPointer { w in
                        g.withUnsafeMutableBufferPointer { gb in
                            stats = stats + worker.subtree(node, step: 2, epoch: 1, order: order,
                                                           weights: w.baseAddress!, into: gb.baseAddress!)
                        }
                    }
                    received[node] = g
                }
            }
            var total = [Float](repeating: 0, count: count)
            total.withUnsafeMutableBufferPointer { t in
                tree.sum(tree.root, count: count, into: t.baseAddress!, scratch: ScratchBuffers()) { node, out in
                    guard let g = received[node] else { return false }
                    g.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: count) }
                    return true
                }
            }
            #expect(total.map(\.bitPattern) == reference.map(\.bitPattern), "runs \(runs)")
            #expect(stats == local, "loss sums and counts do not depend on the split")
        }
        #expect(reference.contains { $0 != 0 } && local.lossSum > 0, "the step has a gradient to compare")
    }
}
