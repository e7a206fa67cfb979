/// Keras's default initialisation: Glorot-uniform kernels (uniform in ±`sqrt(6 / (fanIn + fanOut))`) and zero
/// biases. Element `e` of parameter tensor `t` takes lane `e % 4` of the ``Philox`` block at counter
/// (initialisation stream | t << 8, e / 4, 0, 0).
public enum GlorotInitializer {
    /// The Glorot-uniform bound of a tensor.
    public static func limit(fanIn: Int, fanOut: Int) -> Float {
        (6 / Float(fanIn + fanOut)).squareRoot()
    }

    /// Fresh weights for `model`, keyed by `seed`.
    public static func weights(for model: Model, seed: UInt64) -> [Float] {
        var w = [Float](repeating: 0, count: model.parameterCount)
        let philox = Philox(seed: seed)
        w.withUnsafeMutableBufferPointer { out in
            for tensor in model.parameters where !tensor.isBias {
                let bound = limit(fanIn: tensor.fanIn, fanOut: tensor.fanOut)
                let tag = RandomStream.initialisation.tag(tensor.index)
                for e in 0..<tensor.count {
                    let u = Philox.unitFloat(philox.word((tag, UInt32(e / 4), 0, 0), lane: e % 4))
                    out[tensor.offset + e] = (u * 2 - 1) * bound
                }
            }
        }
        return w
    }
}
