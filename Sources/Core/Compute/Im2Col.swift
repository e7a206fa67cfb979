/// Convolution as matrix products: im2col lays each output pixel's receptive field out as one row, so a
/// convolution is `cols · kernel`; col2im adds the rows' gradients back onto the input in a fixed order.
enum Im2Col {
    /// Fills `cols` (`n · outH · outW` rows × `kernel · kernel · inC` columns) from NHWC `input`.
    static func expand(_ g: ConvGeometry, samples n: Int, input: UnsafePointer<Float>, cols: UnsafeMutablePointer<Float>) {
        let rowSize = g.patchSize
        let channelRun = g.inC
        var row = cols
        for s in 0..<n {
            let image = input + s * g.inH * g.inW * g.inC
            for oy in 0..<g.outH {
                for ox in 0..<g.outW {
                    var dst = row
                    for ky in 0..<g.kernel {
                        let y = oy * g.stride + ky - g.padTop
                        for kx in 0..<g.kernel {
                            let x = ox * g.stride + kx - g.padLeft
                            if y >= 0 && y < g.inH && x >= 0 && x < g.inW {
                                dst.update(from: image + (y * g.inW + x) * g.inC, count: channelRun)
                            } else {
                                dst.update(repeating: 0, count: channelRun)
                            }
                            dst += channelRun
                        }
                    }
                    row += rowSize
                }
            }
        }
    }

    /// Sets `inputGradient` (NHWC) to the sum of the rows of `colsGradient` over each input pixel, always in
    /// the same order (sample, output row, output column, kernel row, kernel column, channel).
    static func collapse(
        _ g: ConvGeometry, samples n: Int, colsGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>
    ) {
        inputGradient.update(repeating: 0, count: n * g.inH * g.inW * g.inC)
        let channelRun = g.inC
        var row = colsGradient
        for s in 0..<n {
            let image = inputGradient + s * g.inH * g.inW * g.inC
            for oy in 0..<g.outH {
                for ox in 0..<g.outW {
                    var src = row
                    for ky in 0..<g.kernel {
                        let y = oy * g.stride + ky - g.padTop
                        for kx in 0..<g.kernel {
                            let x = ox * g.stride + kx - g.padLeft
                            if y >= 0 && y < g.inH && x >= 0 && x < g.inW {
                                let dst = image + (y * g.inW + x) * g.inC
                                for c in 0..<channelRun { dst[c] += src[c] }
                            }
                            src += channelRun
                        }
                    }
                    row += g.patchSize
                }
            }
        }
    }
}
