/// Inverted dropout, as Keras does it: a unit is kept when its uniform draw is at least `rate`, and kept units
/// are scaled by `1 / (1 - rate)`. The draw for (layer, epoch, dataset sample, unit) comes from the ``Philox``
/// dropout stream, so a sample gets the same mask in any worker and any chunk.
public enum Dropout {
    /// Writes each sample's mask (0 or the keep scale) into `mask`, `size` values a sample.
    public static func fillMask(
        _ mask: UnsafeMutablePointer<Float>, rate: Float, size: Int, layer: Int, samples: ArraySlice<Int>,
        seed: UInt64, epoch: Int
    ) {
        let philox = Philox(seed: seed)
        let scale = 1 / (1 - rate)
        let tag = RandomStream.dropout.tag(layer)
        var out = mask
        for index in samples {
            var unit = 0
            while unit < size {
                let b = philox.block((tag, UInt32(truncatingIfNeeded: epoch), UInt32(truncatingIfNeeded: index),
                                      UInt32(truncatingIfNeeded: unit / 4)))
                withUnsafeBytes(of: b) { words in
                    for lane in 0..<min(4, size - unit) {
                        let word = words.load(fromByteOffset: lane * 4, as: UInt32.self)
                        out[unit + lane] = Philox.unitFloat(word) >= rate ? scale : 0
                    }
                }
                unit += 4
            }
            out += size
        }
    }
}
