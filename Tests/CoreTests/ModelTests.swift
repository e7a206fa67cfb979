import Core
import Foundation
import Testing

@Suite struct ModelTests {
    static var exerciseSpec: ExperimentSpec {
        get throws { try ExperimentSpec.load(path: Fixture.repositoryRoot + "/experiments/exercise4.json") }
    }

    @Test func exerciseModelHas72842Parameters() throws {
        let model = try Model(Self.exerciseSpec.model)
        #expect(model.parameterCount == 72_842)
        #expect(model.layers.map(\.parameterCount) == [320, 18_496, 36_928, 0, 16_448, 0, 650])
        #expect(model.layers.map(\.outputShape) == [[13, 13, 32], [6, 6, 64], [2, 2, 64], [256], [64], [64], [10]])
        #expect(model.layers.map(\.name) == ["conv2d", "conv2d_1", "conv2d_2", "flatten", "embedding", "dropout",
                                             "dense"])
        let summary = ModelSummary.table(model)
        #expect(summary.hasSuffix("Total params: 72,842\nTrainable params: 72,842\nNon-trainable params: 0"))
    }

    @Test func glorotBoundsAndZeroBiases() throws {
        let model = try Model(Self.exerciseSpec.model)
        let w = GlorotInitializer.weights(for: model, seed: 1)
        for t in model.parameters {
            let values = w[t.offset..<(t.offset + t.count)]
            if t.isBias {
                #expect(values.allSatisfy { $0 == 0 })
                continue
            }
            let limit = GlorotInitializer.limit(fanIn: t.fanIn, fanOut: t.fanOut)
            #expect(values.allSatisfy { abs($0) <= limit })
            // Uniform on ±limit: mean 0, variance limit²/3.
            let mean = values.reduce(0, +) / Float(t.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(t.count)
            #expect(abs(mean) < 0.1 * limit)
            #expect(abs(variance / (limit * limit / 3) - 1) < 0.25, "tensor \(t.index)")
        }
        #expect(GlorotInitializer.limit(fanIn: 9, fanOut: 288) == (6 / Float(297)).squareRoot())
        #expect(w != GlorotInitializer.weights(for: model, seed: 2))
        #expect(w == GlorotInitializer.weights(for: model, seed: 1))
    }

    @Test func samePaddingFollowsKeras() throws {
        let spec = try ExperimentSpec.parse(json: #"""
            {"model": {"input": [28, 28, 1], "layers": [
              {"conv2d": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}},
              {"conv2d": {"filters": 4, "kernel": 4, "stride": 1, "padding": "same"}},
              {"flatten": {}}, {"dense": {"units": 10, "activation": "softmax", "name": "embedding"}}]}}
            """#)
        let model = try Model(spec.model)
        guard case .conv(let g0) = model.layers[0].kind, case .conv(let g1) = model.layers[1].kind else {
            Issue.record("not convolutions")
            return
        }
        #expect(g0.outH == 14 && g0.padTop == 0)  // total padding 1: all of it at the bottom
        #expect(g1.outH == 14 && g1.padTop == 1)  // total padding 3: 1 on top, 2 below
    }
}

enum Fixture {
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distembed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
