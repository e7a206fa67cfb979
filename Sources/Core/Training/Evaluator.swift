/// Forward-only passes with dropout off: the embedding of the first samples, and test accuracy. Rows are always
/// computed in calls of ``chunkSize`` samples, so an embedding is the same bits wherever it is computed.
public final class Evaluator {
    public static let chunkSize = 100
    public let model: Model
    private let engine: GradientEngine

    public init(model: Model) {
        self.model = model
        self.engine = GradientEngine(model: model, capacity: Self.chunkSize)
    }

    /// The output of layer `layerName` for samples `0..<count` of `data`, row-major `count × width`.
    public func embeddings(layer layerName: String, count: Int, of data: ImageSet, weights: [Float])
        -> (values: [Float], width: Int)
    {
        guard let layer = model.layer(named: layerName) else { preconditionFailure("no layer \(layerName)") }
        let width = layer.outputSize
        var values = [Float](repeating: 0, count: count * width)
        let indices = Array(0..<count)
        weights.withUnsafeBufferPointer { w in
            for start in stride(from: 0, to: count, by: Self.chunkSize) {
                let end = min(start + Self.chunkSize, count)
                engine.forward(weights: w.baseAddress!, samples: indices[start..<end], from: data, keys: nil)
                let out = engine.output(ofLayer: layer.index, count: end - start)
                for i in 0..<out.count { values[start * width + i] = out[i] }
            }
        }
        return (values, width)
    }

    /// Loss and accuracy statistics over samples `range` of `data`.
    public func stats(_ range: Range<Int>, of data: ImageSet, weights: [Float]) -> GradientEngine.Stats {
        var total = GradientEngine.Stats()
        let indices = Array(range)
        weights.withUnsafeBufferPointer { w in
            for start in stride(from: 0, to: indices.count, by: Self.chunkSize) {
                let slice = indices[start..<min(start + Self.chunkSize, indices.count)]
                total = total + engine.forward(weights: w.baseAddress!, samples: slice, from: data, keys: nil)
            }
        }
        return total
    }
}
