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
        let pass = self.pass(layer: layerName, count: count, of: data, weights: weights)
        return (pass.values, pass.width)
    }

    /// One forward pass over samples `0..<count`: layer `layerName`'s output, and the loss and accuracy statistics
    /// of the whole model.
    public func pass(layer layerName: String, count: Int, of data: ImageSet, weights: [Float])
        -> (values: [Float], width: Int, stats: GradientEngine.Stats)
    {
        guard let layer = model.layer(named: layerName) else { preconditionFailure("no layer \(layerName)") }
        let width = layer.outputSize
        var values = [Float](repeating: 0, count: count * width)
        var total = GradientEngine.Stats()
        let indices = Array(0..<count)
        weights.withUnsafeBufferPointer { w in
            for start in stride(from: 0, to: count, by: Self.chunkSize) {
                let end = min(start + Self.chunkSize, count)
                total = total + engine.forward(
                    weights: w.baseAddress!, samples: indices[start..<end], from: data, keys: nil)
                let out = engine.output(ofLayer: layer.index, count: end - start)
                for i in 0..<out.count { values[start * width + i] = out[i] }
            }
        }
        return (values, width, total)
    }
}
