import CKernels
import Core
import Foundation

/// Micro-benchmarks of the step's parts on this machine, against its measured single-core FMA peak:
/// `distembed debug kernels`. For people and the closing notes, not for tests.
public enum KernelBenchmark {
    /// One measurement: what, how long one call takes, and its rate where it has one.
    public struct Row: Codable, Sendable {
        public var name: String
        public var microseconds: Double
        public var gflops: Double?
    }

    /// Seconds per call of `body`: `repeats × rounds` calls in batches of at most 10, and the best batch. Short
    /// batches let some run undisturbed on a busy machine (a VM's neighbours, a build beside it): in five long
    /// rounds at load 7, every round of the chunk gradient took a preemption and read 431–447 µs, against 296 µs
    /// in short batches.
    static func time(repeats: Int, rounds: Int = 5, _ body: () -> Void) -> Double {
        let batch = min(repeats, 10)
        var best = Double.infinity
        for _ in 0..<(repeats * rounds + batch - 1) / batch {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batch { body() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(batch))
        }
        return best
    }

    /// Floating-point operations of one training sample of the exercise's model: 2,581,440 multiply-adds
    /// (Docs/Platform.md, cost model).
    public static let trainingFlopsPerSample = 2.0 * 2_581_440

    /// The single-core fp32 FMA peak on the kernels' active path (its widest vectors: 16 lanes for avx512, 8 for
    /// avx2), measured in C with enough independent chains to fill every FMA port.
    public static func fmaPeak(_ path: KernelPath = .active) -> Row {
        let gflops = distembed_fma_peak(path.rawValue)
        return Row(name: "fma peak (1 core, \(path))", microseconds: 0, gflops: gflops)
    }

    /// The exercise's chunk gradient (8 samples), Adam on its 72,842 parameters, and the tree sum of 4 chunks.
    public static func exerciseKernels(data: ImageSet) throws -> [Row] {
        let spec = try ExperimentSpec.parse(json: "{}", overrides: ExerciseModel.overrides)
        let model = try Model(spec.model)
        let schedule = TrainingSchedule(spec: spec, sampleCount: data.count)
        let weights = GlorotInitializer.weights(for: model, seed: 1)
        let order = schedule.order(epoch: 0)
        let engine = GradientEngine(model: model, capacity: 8)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        let chunk = time(repeats: 200) {
            var out = gradient.mutableSpan
            _ = engine.chunkGradient(
                weights: weights.span, samples: order[0..<8], from: data, keys: .init(seed: 1, epoch: 0), into: &out)
        }
        let chunkFlops = trainingFlopsPerSample * 8
        var adam = Adam(parameterCount: model.parameterCount)
        var w = weights
        let adamSeconds = gradient.withUnsafeBufferPointer { g in
            time(repeats: 200) { adam.update(&w, gradient: g.baseAddress!) }
        }
        // What the coordinator runs per step at two workers: the root's two halves added and divided by the batch
        // inside the pass.
        let stepSeconds = gradient.withUnsafeBufferPointer { g in
            time(repeats: 200) {
                adam.update(&w, gradientSum: g.baseAddress!, plus: g.baseAddress!, batchSize: 32)
            }
        }
        // The same as the coordinator runs it: with its helper thread (whose wake-up counts), copying the new
        // weights to the shared weights.
        let pass = BlockPass()
        var shared = weights
        let helpedSeconds = gradient.withUnsafeBufferPointer { g in
            shared.withUnsafeMutableBufferPointer { shared in
                let adamPass = AdamPass(helper: pass, mirror: shared.baseAddress!)
                return time(repeats: 200) {
                    adamPass.update(&adam, weights: &w, gradientSum: g.baseAddress!, plus: g.baseAddress!, batchSize: 32)
                }
            }
        }
        let tree = ChunkTree(chunkCount: 4)
        let scratch = ScratchBuffers()
        let leaves = (0..<4).map { _ in gradient }
        var out = gradient
        let count = model.parameterCount
        let treeSeconds = out.withUnsafeMutableBufferPointer { o in
            time(repeats: 200) {
                tree.sum(tree.root, count: count, into: o.baseAddress!, scratch: scratch) { node, buffer in
                    guard node.level == 0 else { return false }
                    leaves[node.index].withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count) }
                    return true
                }
            }
        }
        // The replica check's digest, which a worker computes once per checked step and the coordinator too.
        // A new last parameter each call, so that no call can be skipped as a repeat of the one before.
        var digest: UInt64 = 0
        let digestSeconds = time(repeats: 200) {
            w[w.count - 1] = Float(bitPattern: w[w.count - 1].bitPattern &+ 1)
            digest ^= WeightsDigest.of(w)
        }
        precondition(digest != 1)  // uses the digests
        let sha256Seconds = time(repeats: 20) { _ = WeightsHash.sha256(w) }
        return [
            Row(name: "chunk gradient (8 samples)", microseconds: chunk * 1e6, gflops: chunkFlops / chunk / 1e9),
            Row(name: "adam (72,842 parameters)", microseconds: adamSeconds * 1e6, gflops: nil),
            Row(name: "adam, two halves", microseconds: stepSeconds * 1e6, gflops: nil),
            Row(name: "adam, helper, copy", microseconds: helpedSeconds * 1e6, gflops: nil),
            Row(name: "tree sum (4 chunks)", microseconds: treeSeconds * 1e6, gflops: nil),
            Row(name: "weights digest (XXH64, 291 KB)", microseconds: digestSeconds * 1e6, gflops: nil),
            Row(name: "weights SHA-256 (291 KB)", microseconds: sha256Seconds * 1e6, gflops: nil),
        ]
    }

    /// A sharded member's run of 8 chunks, its subtree summed chunk by chunk (``ChunkComputer/subtree(_:step:epoch:order:weights:into:)``)
    /// and layer by layer (``ChunkComputer/subtreesByLayer(_:step:epoch:order:weights:into:final:)``, which keeps
    /// every chunk's activations until its backward pass), for the exercise's model and experiments/wide.json's:
    /// what computing layer by layer costs before anything overlaps.
    public static func runByLayer(data: ImageSet) throws -> [Row] {
        let models = [("exercise", ExerciseModel.overrides), ("wide", WideModel.overrides)]
        return try models.flatMap { name, overrides -> [Row] in
            let spec = try ExperimentSpec.parse(json: "{}", overrides: overrides + ["training.batchSize=64"])
            let model = try Model(spec.model)
            let schedule = TrainingSchedule(spec: spec, sampleCount: data.count)
            let stages = TrainingStages(spec: spec, model: model)
            let computer = ChunkComputer(model: model, schedule: schedule, stages: stages, data: data)
            let weights = GlorotInitializer.weights(for: model, seed: 1)
            let order = schedule.order(epoch: 0)
            let root = ChunkTree(chunkCount: schedule.chunkCount(step: 0)).root
            let sums = ParameterBuffers(length: model.parameterCount)
            let (byChunk, byLayer) = weights.withUnsafeBufferPointer { w in
                (time(repeats: 10) {
                    _ = computer.subtree(root, step: 0, epoch: 0, order: order, weights: w.baseAddress!, into: sums.buffer(0))
                }, time(repeats: 10) {
                    _ = computer.subtreesByLayer(
                        [root], step: 0, epoch: 0, order: order, weights: w.baseAddress!, into: [sums.buffer(0)]
                    ) { _ in }
                })
            }
            return [
                Row(name: "8 chunks, \(name), by chunk", microseconds: byChunk * 1e6, gflops: nil),
                Row(name: "8 chunks, \(name), by layer", microseconds: byLayer * 1e6, gflops: nil),
            ]
        }
    }

    /// The exercise's losses on `rows` × 64 random ReLU-like embeddings in 10 classes.
    public static func lossEvaluation(rows: Int = 60_000) throws -> Row {
        let (matrix, labels) = try randomEmbeddings(rows: rows)
        let seconds = time(repeats: 1, rounds: 3) {
            _ = try? EmbeddingLosses.evaluate(embeddings: matrix, labels: labels)
        }
        return Row(name: "loss evaluation (\(rows) x 64)", microseconds: seconds * 1e6, gflops: nil)
    }

    /// `rows` × 64 ReLU-like embeddings (30% zeros) and labels in 10 classes, the same on every call.
    public static func randomEmbeddings(rows: Int) throws -> (matrix: EmbeddingLosses.Matrix, labels: [Int]) {
        let philox = Philox(seed: 5)
        let values = (0..<(rows * 64)).map { i in
            max(0, Philox.unitFloat(philox.word((9, UInt32(i / 4), 0, 0), lane: i % 4)) - 0.3)
        }
        let labels = (0..<rows).map { Int(philox.word((10, UInt32($0), 0, 0), lane: 0) % 10) }
        return (try EmbeddingLosses.Matrix(rows: rows, columns: 64, values: .float32(values)), labels)
    }
}

/// The exercise's spec without a file: `{}` plus these overrides is experiments/exercise4.json.
enum ExerciseModel {
    static let overrides = [
        #"model={"input": [28, 28, 1], "layers": [{"conv2d": {"filters": 32, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 64, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 64, "kernel": 3, "stride": 2, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 64, "activation": "relu", "name": "embedding"}}, {"dropout": {"rate": 0.25}}, {"dense": {"units": 10, "activation": "softmax"}}]}"#,
        "dataset.trainLimit=10000",
    ]
}

/// experiments/wide.json's model without a file: twice the exercise's filters and a 256-unit embedding.
enum WideModel {
    static let overrides = [
        #"model={"input": [28, 28, 1], "layers": [{"conv2d": {"filters": 64, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 128, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 128, "kernel": 3, "stride": 2, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 256, "activation": "relu", "name": "embedding"}}, {"dropout": {"rate": 0.25}}, {"dense": {"units": 10, "activation": "softmax"}}]}"#,
        "dataset.trainLimit=10000",
    ]
}
