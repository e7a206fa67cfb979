import Benchmark
import Core
import KernelBenchmarks

/// The exercise's contrastive and triplet losses over the whole training set's embeddings (60,000 × 64).
func registerLossBenchmarks() {
    Benchmark(
        "loss evaluation (60,000 x 64)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResidentDelta], maxIterations: 20)
    ) { benchmark, state in
        for _ in benchmark.scaledIterations {
            blackHole(try? EmbeddingLosses.evaluate(embeddings: state.matrix, labels: state.labels))
        }
    } setup: {
        try KernelBenchmark.randomEmbeddings(rows: 60_000)
    }
}
