import Benchmark
import Core
import Foundation
import KernelBenchmarks

/// The single-core FMA peak, the forward pass and the chunk gradient of 8 samples.
///
/// GradientEngine has no per-layer entry point, so the chunk is timed whole; the backward pass is the chunk
/// gradient's time less the forward pass's.
func registerGradientBenchmarks() {
    Benchmark("fma peak (1 core)", configuration: .init(metrics: [.wallClock, Rate.gflops])) { benchmark in
        let peak = KernelBenchmark.fmaPeak()
        benchmark.measurement(Rate.gflops, Int(peak.gflops!.rounded()))
    }

    Benchmark("forward (8 samples, dropout on)", configuration: timeAndAllocations()) { benchmark, state in
        state.fixture.weights.withUnsafeBufferPointer { w in
            for _ in benchmark.scaledIterations {
                blackHole(
                    state.engine.forward(
                        weights: w.baseAddress!, samples: state.chunk, from: state.fixture.data,
                        keys: state.fixture.keys))
            }
        }
    } setup: {
        try GradientState()
    }

    Benchmark(
        "chunk gradient (8 samples)",
        configuration: timeAndAllocations([Rate.gflops, Rate.percentOfPeak])
    ) { benchmark, state in
        let flops = KernelBenchmark.trainingFlopsPerSample * Double(state.chunk.count)
        state.fixture.weights.withUnsafeBufferPointer { w in
            state.gradient.withUnsafeMutableBufferPointer { g in
                let start = DispatchTime.now().uptimeNanoseconds
                blackHole(
                    state.engine.chunkGradient(
                        weights: w.baseAddress!, samples: state.chunk, from: state.fixture.data,
                        keys: state.fixture.keys, into: g.baseAddress!))
                let gflops = flops / Double(DispatchTime.now().uptimeNanoseconds - start)
                benchmark.measurement(Rate.gflops, Int(gflops.rounded()))
                benchmark.measurement(Rate.percentOfPeak, Int((100 * gflops / state.peakGflops).rounded()))
            }
        }
    } setup: {
        try GradientState()
    }
}

/// What the gradient benchmarks read: the fixture, an engine for one chunk, a gradient buffer, and the FMA peak
/// measured in this process just before, so the fraction of peak compares two figures from one run.
final class GradientState {
    let fixture: ExerciseFixture
    let engine: GradientEngine
    let chunk: ArraySlice<Int>
    var gradient: [Float]
    let peakGflops: Double

    init() throws {
        fixture = try ExerciseFixture()
        engine = GradientEngine(model: fixture.model, capacity: fixture.chunkSize)
        chunk = fixture.chunk(0)
        gradient = [Float](repeating: 0, count: fixture.model.parameterCount)
        peakGflops = KernelBenchmark.fmaPeak().gflops!
    }
}
