import Core
import Foundation
import Testing

/// A run's subtrees computed one layer at a time over all its chunks (what a sharded member does, to send each
/// layer's sums while it computes the layers below) have the bits of the chunk-by-chunk subtrees, and each range
/// it calls final is final.
@Suite struct LayerByLayerTests {
    @Test(arguments: ["crossEntropy", "contrastive", "triplet"])
    func sumsAreThoseOfTheChunkByChunkSubtrees(objective: String) throws {
        let spec = try DeterminismTests.spec(["training.batchSize=56", "training.objective=\(objective)"])  // 7 chunks
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 1)
        let training = try TrainingRun(spec: spec, dataset: dataset)
        let count = training.model.parameterCount
        let order = training.schedule.order(epoch: 0)
        let tree = ChunkTree(chunkCount: training.schedule.chunkCount(step: 1))
        #expect(tree.chunkCount == 7)
        func computer() -> ChunkComputer {
            ChunkComputer(model: training.model, schedule: training.schedule, stages: training.stages, data: dataset.train)
        }
        let reference = computer()
        // One computer for every run: its engines and buffers are reused, as on a worker.
        let byLayer = computer()
        let sums = ParameterBuffers(length: count)
        for run in [0..<7, 2..<5, 1..<7, 6..<7, 0..<3] {
            let nodes = tree.cover(run)
            var expected: [[Float]] = []
            var expectedStats = GradientEngine.Stats()
            for node in nodes {
                var g = [Float](repeating: 0, count: count)
                training.weights.withUnsafeBufferPointer { w in
                    g.withUnsafeMutableBufferPointer { out in
                        expectedStats = expectedStats + reference.subtree(
                            node, step: 1, epoch: 0, order: order, weights: w.baseAddress!, into: out.baseAddress!)
                    }
                }
                expected.append(g)
            }
            let pointers = nodes.indices.map { sums.buffer($0) }
            for p in pointers { p.update(repeating: .nan, count: count) }
            var ranges: [Range<Int>] = []
            var finalWhenCalled = true
            let stats = training.weights.withUnsafeBufferPointer { w in
                byLayer.subtreesByLayer(
                    nodes, step: 1, epoch: 0, order: order, weights: w.baseAddress!, into: pointers
                ) { range in
                    ranges.append(range)
                    for (p, e) in zip(pointers, expected) {
                        finalWhenCalled = finalWhenCalled && Self.sameBits(p + range.lowerBound, e[range])
                    }
                }
            }
            #expect(finalWhenCalled, "run \(run): a range was reported before its sums were complete")
            #expect(ranges.first?.upperBound == count && ranges.last?.lowerBound == 0, "run \(run): \(ranges)")
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.lowerBound == $1.upperBound && !$0.isEmpty },
                    "run \(run): the ranges cover the parameters once, top down: \(ranges)")
            for (p, e) in zip(pointers, expected) {
                #expect(Self.sameBits(p, e[...]), "run \(run): a subtree's sum differs from the chunk-by-chunk one")
            }
            #expect(stats == expectedStats)
            #expect(expected.allSatisfy { $0.contains { $0 != 0 } })
        }
    }

    static func sameBits(_ p: UnsafePointer<Float>, _ e: ArraySlice<Float>) -> Bool {
        e.enumerated().allSatisfy { p[$0.offset].bitPattern == $0.element.bitPattern }
    }
}
