import Benchmark
import Core

/// What the coordinator does with a step's gradients: the tree sum of its chunks and one Adam update, plain and
/// as the coordinator runs it.
func registerReductionBenchmarks() {
    Benchmark("tree sum (4 chunks)", configuration: timeAndAllocations()) { benchmark, state in
        let count = state.leaves[0].count
        state.out.withUnsafeMutableBufferPointer { out in
            for _ in benchmark.scaledIterations {
                state.tree.sum(state.tree.root, count: count, into: out.baseAddress!, scratch: state.scratch) {
                    node, buffer in
                    guard node.level == 0 else { return false }
                    state.leaves[node.index].withUnsafeBufferPointer {
                        buffer.update(from: $0.baseAddress!, count: count)
                    }
                    return true
                }
            }
        }
        blackHole(state.out)
    } setup: {
        try TreeState()
    }

    Benchmark("adam (72,842 parameters)", configuration: timeAndAllocations()) { benchmark, state in
        state.leaves[0].withUnsafeBufferPointer { g in
            for _ in benchmark.scaledIterations {
                state.adam.update(&state.weights, gradient: g.baseAddress!)
            }
        }
        blackHole(state.weights)
    } setup: {
        try TreeState()
    }

    // The coordinator's step at two workers: the root's two halves added and divided by the batch inside Adam's
    // pass.
    Benchmark("adam, two halves", configuration: timeAndAllocations()) { benchmark, state in
        state.withHalves { left, right in
            for _ in benchmark.scaledIterations {
                state.adam.update(&state.weights, gradientSum: left, plus: right, batchSize: 32)
            }
        }
        blackHole(state.weights)
    } setup: {
        try TreeState()
    }

    // The same as the coordinator runs it: with its helper thread (whose wake-up counts), copying the new weights
    // to the shared weights.
    Benchmark("adam, helper, copy", configuration: timeAndAllocations()) { benchmark, state in
        state.withHalves { left, right in
            state.out.withUnsafeMutableBufferPointer { shared in
                let pass = AdamPass(helper: state.pass, mirror: shared.baseAddress!)
                for _ in benchmark.scaledIterations {
                    pass.update(&state.adam, weights: &state.weights, gradientSum: left, plus: right, batchSize: 32)
                }
            }
        }
        blackHole(state.weights)
    } setup: {
        try TreeState()
    }
}

/// One step's chunk gradients (the first chunks of the first step) and the buffers the reduction writes.
final class TreeState {
    let tree: ChunkTree
    let leaves: [[Float]]
    let scratch = ScratchBuffers()
    var out: [Float]
    var adam: Adam
    var weights: [Float]
    let pass = BlockPass()

    init() throws {
        let fixture = try ExerciseFixture()
        let engine = GradientEngine(model: fixture.model, capacity: fixture.chunkSize)
        let count = fixture.model.parameterCount
        tree = ChunkTree(chunkCount: fixture.chunksPerStep)
        leaves = (0..<fixture.chunksPerStep).map { chunk in
            var gradient = [Float](repeating: 0, count: count)
            fixture.weights.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer { g in
                    _ = engine.chunkGradient(
                        weights: w.baseAddress!, samples: fixture.chunk(chunk), from: fixture.data,
                        keys: fixture.keys, into: g.baseAddress!)
                }
            }
            return gradient
        }
        out = [Float](repeating: 0, count: count)
        adam = Adam(parameterCount: count)
        weights = fixture.weights
    }

    /// Calls `body` with the first two chunks' gradients, as the two halves of a step's root.
    func withHalves(_ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        leaves[0].withUnsafeBufferPointer { left in
            leaves[1].withUnsafeBufferPointer { right in body(left.baseAddress!, right.baseAddress!) }
        }
    }
}
