import Core
import Foundation

/// A slow, direct Float64 implementation of the spec's layers (loops, no im2col, no BLAS) to check the
/// engine's forward pass and gradients against. It computes Keras's padding on its own.
struct ReferenceModel {
    let spec: ModelSpec

    /// Summed categorical cross-entropy of `images` (each `h·w·c`, NHWC) under `weights` (canonical order).
    /// `masks[layer][sample]` is the dropout mask of that layer for that sample (0 or the keep scale).
    func loss(weights: [Double], images: [[Double]], labels: [Int], masks: [Int: [[Double]]]) -> Double {
        var total = 0.0
        for (s, image) in images.enumerated() {
            // The last layer's outputs are logits; softmax cross-entropy in Float64.
            let x = output(weights: weights, image: image, sample: s, masks: masks, through: spec.layers.count - 1)
            let m = x.max()!
            let logSum = log(x.map { exp($0 - m) }.reduce(0, +)) + m
            total += logSum - x[labels[s]]
        }
        return total
    }

    /// The output of layer `last` for one image (sample `s` of `masks`); a softmax layer gives its logits.
    func output(weights: [Double], image: [Double], sample s: Int, masks: [Int: [[Double]]], through last: Int)
        -> [Double]
    {
        var x = image
        var shape = spec.input
        var offset = 0
        for (i, layer) in spec.layers.enumerated() where i <= last {
            switch layer {
            case .conv2d(let filters, let k, let stride, let padding, let activation, _):
                let (h, w, c) = (shape[0], shape[1], shape[2])
                let (oh, pt) = Self.axis(h, k, stride, padding)
                let (ow, pl) = Self.axis(w, k, stride, padding)
                let kernel = offset
                let bias = offset + k * k * c * filters
                offset = bias + filters
                var y = [Double](repeating: 0, count: oh * ow * filters)
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for f in 0..<filters {
                            var sum = weights[bias + f]
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let iy = oy * stride + ky - pt
                                    let ix = ox * stride + kx - pl
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    for ch in 0..<c {
                                        sum += x[(iy * w + ix) * c + ch]
                                            * weights[kernel + ((ky * k + kx) * c + ch) * filters + f]
                                    }
                                }
                            }
                            y[(oy * ow + ox) * filters + f] = Self.activate(sum, activation)
                        }
                    }
                }
                x = y
                shape = [oh, ow, filters]
            case .dense(let units, let activation, _):
                let n = x.count
                let kernel = offset
                let bias = offset + n * units
                offset = bias + units
                var y = [Double](repeating: 0, count: units)
                for u in 0..<units {
                    var sum = weights[bias + u]
                    for j in 0..<n { sum += x[j] * weights[kernel + j * units + u] }
                    y[u] = activation == .softmax ? sum : Self.activate(sum, activation)
                }
                x = y
                shape = [units]
            case .flatten:
                shape = [x.count]
            case .dropout:
                let mask = masks[i]![s]
                x = zip(x, mask).map { $0 * $1 }
            }
        }
        return x
    }

    static func activate(_ v: Double, _ a: Activation) -> Double {
        a == .relu ? max(v, 0) : v
    }

    static func axis(_ n: Int, _ k: Int, _ s: Int, _ p: Padding) -> (Int, Int) {
        if p == .valid { return ((n - k) / s + 1, 0) }
        let out = Int((Double(n) / Double(s)).rounded(.up))
        return (out, max((out - 1) * s + k - n, 0) / 2)
    }
}
