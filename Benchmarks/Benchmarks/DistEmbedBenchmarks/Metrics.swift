import Benchmark

/// Rates the time rows do not show; package-benchmark's custom metrics are integers.
enum Rate {
    static let gflops = BenchmarkMetric.custom("GFLOP/s", polarity: .prefersLarger, useScalingFactor: false)
    static let percentOfPeak = BenchmarkMetric.custom(
        "% of FMA peak", polarity: .prefersLarger, useScalingFactor: false)
}

/// Time per call and heap allocations per call (the step loop should make none), plus `extra`.
func timeAndAllocations(_ extra: [BenchmarkMetric] = []) -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .mallocCountTotal] + extra)
}
