import Benchmark
import Core
import Wire

/// The protobuf encoding of what a worker sends each step: a work result carrying one 72,842-float subtree
/// gradient. Encoding reuses its output buffer, as the step loop does.
func registerCodecBenchmarks() {
    Benchmark("codec encode (work result, 72,842 floats)", configuration: timeAndAllocations()) { benchmark, state in
        for _ in benchmark.scaledIterations {
            state.codec.encode(state.envelope, into: &state.bytes)
        }
        blackHole(state.bytes)
    } setup: {
        CodecState()
    }

    Benchmark("codec decode (work result, 72,842 floats)", configuration: timeAndAllocations()) { benchmark, state in
        for _ in benchmark.scaledIterations {
            blackHole(try? state.codec.decode(state.bytes))
        }
    } setup: {
        CodecState()
    }
}

/// A codec, a gradient-sized work result and its encoding.
final class CodecState {
    let codec = Codec()
    let envelope: Envelope
    var bytes: [UInt8]

    init() {
        let philox = Philox(seed: 3)
        let gradient = (0..<72_842).map { Philox.unitFloat(philox.word((0, UInt32($0), 0, 0), lane: 0)) - 0.5 }
        let result = WorkResult(
            experimentId: "benchmark", epoch: 0, step: 0, weightsVersion: 1,
            subtrees: [Subtree(level: 1, index: 0, gradient: Tensor(gradient))],
            lossSum: 36.8, correctCount: 3, sampleCount: 16, computeSeconds: 0.001)
        envelope = Envelope(requestId: 1, message: .workResult(result))
        bytes = codec.encode(envelope)
    }
}
