import Benchmark
import Core

/// The suite package-benchmark runs: the parts of one training step of the exercise, and the loss evaluation.
/// Time per call is the `wallClock` row; the chunk gradient also reports its GFLOP/s and its share of the FMA
/// peak measured in the same process.
let benchmarks: @Sendable () -> Void = {
    // The allocator settings distembed's processes start with, so fresh tensors cost here what they cost there.
    MemoryTuning.keepLargeBuffersInHeap()
    Benchmark.defaultConfiguration.timeUnits = .microseconds
    Benchmark.defaultConfiguration.maxDuration = .seconds(2)
    registerGradientBenchmarks()
    registerReductionBenchmarks()
    registerCodecBenchmarks()
    registerLossBenchmarks()
}
