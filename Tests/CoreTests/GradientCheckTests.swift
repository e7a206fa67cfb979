import Core
import Foundation
import Testing

/// Analytic gradients of the engine (Float32) against central finite differences of the Float64 reference.
@Suite struct GradientCheckTests {
    static func spec(_ json: String) throws -> ModelSpec {
        try ExperimentSpec.parse(json: "{\"model\": \(json), \"evaluation\": {\"layer\": \"out\"}}").model
    }

    static let cases: [(String, String)] = [
        ("conv stride 2 valid", #"{"input": [7, 7, 1], "layers": [{"conv2d": {"filters": 3, "kernel": 3, "stride": 2, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 4, "activation": "softmax", "name": "out"}}]}"#),
        ("conv same stride 2 odd", #"{"input": [7, 7, 1], "layers": [{"conv2d": {"filters": 2, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"}}, {"conv2d": {"filters": 3, "kernel": 2, "stride": 2, "padding": "same"}}, {"flatten": {}}, {"dense": {"units": 4, "activation": "softmax", "name": "out"}}]}"#),
        ("conv same stride 1 even", #"{"input": [6, 6, 1], "layers": [{"conv2d": {"filters": 2, "kernel": 3, "stride": 1, "padding": "same", "activation": "relu"}}, {"conv2d": {"filters": 2, "kernel": 3, "stride": 2, "padding": "valid", "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 3, "activation": "softmax", "name": "out"}}]}"#),
        ("dense and dropout", #"{"input": [4, 4, 1], "layers": [{"flatten": {}}, {"dense": {"units": 6, "activation": "relu"}}, {"dropout": {"rate": 0.5}}, {"dense": {"units": 5}}, {"dense": {"units": 4, "activation": "softmax", "name": "out"}}]}"#),
    ]

    static let exerciseModel = #"{"input": [28, 28, 1], "layers": [{"conv2d": {"filters": 32, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 64, "kernel": 3, "stride": 2, "activation": "relu"}}, {"conv2d": {"filters": 64, "kernel": 3, "stride": 2, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 64, "activation": "relu", "name": "embedding"}}, {"dropout": {"rate": 0.25}}, {"dense": {"units": 10, "activation": "softmax", "name": "out"}}]}"#

    @Test(arguments: cases.indices)
    func layerGradientsMatchFiniteDifferences(_ i: Int) throws {
        try check(Self.spec(Self.cases[i].1), samples: 3, parameters: nil)
    }

    @Test func wholeExerciseModel() throws {
        try check(Self.spec(Self.exerciseModel), samples: 4, parameters: 300)
    }

    /// Compares the engine's summed gradient with central differences of the reference loss, on every
    /// parameter or on `parameters` of them spread over the whole array.
    func check(_ modelSpec: ModelSpec, samples n: Int, parameters: Int?) throws {
        let model = try Model(modelSpec)
        let (h, w) = (modelSpec.input[0], modelSpec.input[1])
        let p = Philox(seed: 7)
        let pixels = (0..<(n * h * w)).map { UInt8(p.word((50, UInt32($0), 0, 0), lane: 0) % 256) }
        let labels = (0..<n).map { Int32($0 % model.classCount) }
        let data = ImageSet(pixels: pixels, labels: labels, height: h, width: w)
        // Glorot weights plus small random biases, so no bias starts at a kink.
        var weights = GlorotInitializer.weights(for: model, seed: 3)
        for t in model.parameters where t.isBias {
            for e in 0..<t.count {
                weights[t.offset + e] = (Philox.unitFloat(p.word((51, UInt32(t.offset + e), 0, 0), lane: 1)) - 0.5) * 0.2
            }
        }
        let engine = GradientEngine(model: model, capacity: n)
        let keys = GradientEngine.DropoutKeys(seed: 11, epoch: 2)
        let samples = Array(0..<n)[...]
        var gradient = [Float](repeating: .nan, count: model.parameterCount)
        let stats = weights.withUnsafeBufferPointer { wb in
            gradient.withUnsafeMutableBufferPointer { g in
                engine.chunkGradient(weights: wb.baseAddress!, samples: samples, from: data, keys: keys,
                                     into: g.baseAddress!)
            }
        }
        #expect(!gradient.contains { $0.isNaN }, "every gradient element is written")

        var masks: [Int: [[Double]]] = [:]
        for layer in model.layers {
            guard case .dropout(let rate, let size, _) = layer.kind else { continue }
            var mask = [Float](repeating: 0, count: n * size)
            mask.withUnsafeMutableBufferPointer {
                Dropout.fillMask($0.baseAddress!, rate: rate, size: size, layer: layer.index, samples: samples,
                                 seed: keys.seed, epoch: keys.epoch)
            }
            #expect(mask.contains(0) && mask.contains { $0 > 1 }, "the mask drops some units and scales others")
            masks[layer.index] = (0..<n).map { s in mask[(s * size)..<((s + 1) * size)].map(Double.init) }
        }
        let reference = ReferenceModel(spec: modelSpec)
        let images = (0..<n).map { s in (0..<(h * w)).map { Double(Float(pixels[s * h * w + $0]) / 255) } }
        let intLabels = labels.map(Int.init)
        var w64 = weights.map(Double.init)
        let loss = reference.loss(weights: w64, images: images, labels: intLabels, masks: masks)
        #expect(abs(stats.lossSum - loss) <= 1e-4 * max(1, abs(loss)), "forward loss \(stats.lossSum) vs \(loss)")

        let count = model.parameterCount
        let indices = parameters.map { k in (0..<k).map { $0 * count / k } } ?? Array(0..<count)
        let eps = 1e-4
        var worst = 0.0
        for i in indices {
            let saved = w64[i]
            w64[i] = saved + eps
            let up = reference.loss(weights: w64, images: images, labels: intLabels, masks: masks)
            w64[i] = saved - eps
            let down = reference.loss(weights: w64, images: images, labels: intLabels, masks: masks)
            w64[i] = saved
            let numeric = (up - down) / (2 * eps)
            let error = abs(Double(gradient[i]) - numeric) / max(1e-2, abs(numeric))
            worst = max(worst, error)
            #expect(error < 2e-2, "parameter \(i): analytic \(gradient[i]) vs numeric \(numeric)")
        }
        #expect(worst < 2e-2)
    }
}
