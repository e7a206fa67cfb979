/// Shape inference and checks for a layer list: each layer must accept its input, and the last layer must be the
/// softmax classifier that categorical cross-entropy trains.
enum ModelShapes {
    static func kind(of layer: LayerSpec, input: [Int]) -> LayerKind {
        let size = saturatingProduct(input)
        switch layer {
        case .conv2d(let filters, let k, let stride, let padding, _, _):
            let (outH, padTop) = axis(input[0], k, stride, padding)
            let (outW, padLeft) = axis(input[1], k, stride, padding)
            return .conv(ConvGeometry(
                inH: input[0], inW: input[1], inC: input[2], outH: outH, outW: outW, outC: filters, kernel: k,
                stride: stride, padTop: padTop, padLeft: padLeft))
        case .dense(let units, _, _):
            return .dense(inputs: size, units: units)
        case .flatten:
            return .flatten(size: size)
        case .dropout(let rate, _):
            return .dropout(rate: Float(rate), size: size, shape: input)
        }
    }

    /// Output length and leading padding along one axis.
    static func axis(_ n: Int, _ k: Int, _ stride: Int, _ padding: Padding) -> (Int, Int) {
        switch padding {
        case .valid:
            return (n >= k ? (n - k) / stride + 1 : 0, 0)
        case .same:
            let out = (n + stride - 1) / stride
            let total = max((out - 1) * stride + k - n, 0)
            return (out, total / 2)
        }
    }

    /// The spec's names, or Keras's defaults: a per-type counter over the unnamed layers (`conv2d`, `conv2d_1`).
    static func displayNames(_ layers: [LayerSpec]) -> [String] {
        var counts: [String: Int] = [:]
        return layers.map { layer in
            if let name = layer.name { return name }
            let c = counts[layer.typeName, default: 0]
            counts[layer.typeName] = c + 1
            return c == 0 ? layer.typeName : "\(layer.typeName)_\(c)"
        }
    }

    /// The layers' problems: shapes that do not fit, values out of range, and sizes over `limits` (units and
    /// filters, parameters, and the activations of a chunk of `chunkRows` rows).
    static func problems(_ spec: ModelSpec, evaluationLayer: String?, chunkRows: Int, limits: SpecLimits)
        -> [SpecError.Problem]
    {
        var p: [SpecError.Problem] = []
        guard spec.input.count == 3, spec.input.allSatisfy({ $0 >= 1 }) else {
            return [.init(path: "model.input", message: "must be [height, width, channels]")]
        }
        if let side = spec.input.first(where: { $0 > maximumInputSide }) {
            return [.init(path: "model.input", message: "\(side) is over the largest height, width or channel "
                + "count, \(maximumInputSide)")]
        }
        if spec.layers.isEmpty { return [.init(path: "model.layers", message: "must not be empty")] }
        var shape = spec.input
        var parameters = 0
        var activationsPerSample = saturatingProduct(spec.input)
        for (i, layer) in spec.layers.enumerated() {
            let path = "model.layers[\(i)].\(layer.typeName)"
            switch layer {
            case .conv2d(let filters, let k, let stride, _, let activation, _):
                guard shape.count == 3 else {
                    p.append(.init(path: path, message: "conv2d needs a [height, width, channels] input, got "
                        + "\(shape); put convolutions before flatten and dense"))
                    return p
                }
                if filters < 1 { p.append(.init(path: path + ".filters", message: "must be at least 1")) }
                if let over = limits.problem(.layerUnits, path: path + ".filters", value: filters) { p.append(over) }
                if !(1...64).contains(k) { p.append(.init(path: path + ".kernel", message: "must be in 1...64")) }
                if !(1...64).contains(stride) { p.append(.init(path: path + ".stride", message: "must be in 1...64")) }
                if activation == .softmax {
                    p.append(.init(path: path + ".activation", message: "softmax is only for the last dense layer"))
                }
                if !p.isEmpty { return p }
            case .dense(let units, let activation, _):
                if shape.count != 1 {
                    p.append(.init(path: path, message: "dense needs a flat input, got \(shape); add "
                        + "{\"flatten\": {}} before it"))
                    return p
                }
                if units < 1 {
                    p.append(.init(path: path + ".units", message: "must be at least 1"))
                    return p
                }
                if let over = limits.problem(.layerUnits, path: path + ".units", value: units) {
                    p.append(over)
                    return p
                }
                if activation == .softmax && i != spec.layers.count - 1 {
                    p.append(.init(path: path + ".activation", message: "softmax is only for the last layer"))
                }
            case .dropout(let rate, _):
                if !(0..<1).contains(rate) { p.append(.init(path: path + ".rate", message: "must be in [0, 1)")) }
            case .flatten:
                break
            }
            let kind = kind(of: layer, input: shape)
            let out = kind.outputShape
            if out.contains(where: { $0 < 1 }) {
                p.append(.init(path: path, message: "input \(shape) is too small for this layer (output \(out))"))
                return p
            }
            if let (kernelShape, _, _, units) = kind.parameterShapes {
                parameters = saturatingSum(parameters, saturatingProduct(kernelShape), units)
            }
            activationsPerSample = saturatingSum(activationsPerSample, floatsPerSample(kind))
            shape = out
        }
        p += [
            limits.problem(.parameters, path: "model.layers", value: parameters, quantity: "parameters"),
            limits.problem(
                .activations, path: "model.layers", value: saturatingProduct([activationsPerSample, chunkRows]),
                quantity: "floats of activations in a chunk of \(chunkRows) rows (determinism.chunkSize samples, "
                    + "and their partners under a contrastive or triplet objective)"),
        ].compactMap { $0 }
        let lastPath = "model.layers[\(spec.layers.count - 1)]"
        if case .dense(let units, .softmax, _) = spec.layers.last! {
            if units < 2 { p.append(.init(path: lastPath + ".dense.units", message: "needs at least 2 classes")) }
        } else {
            p.append(.init(path: lastPath, message: "the last layer must be {\"dense\": {\"units\": 10, "
                + "\"activation\": \"softmax\"}}: training uses categorical cross-entropy"))
        }
        if let name = evaluationLayer, p.isEmpty {
            let names = displayNames(spec.layers)
            if !names.contains(name) {
                p.append(.init(path: "evaluation.layer", message: "no layer is named \"\(name)\"; the layers are "
                    + names.joined(separator: ", ")))
            }
        }
        return p
    }

    /// The floats a layer adds to one sample's forward pass: its output, and a convolution's patch matrix too (a
    /// flatten shares its input's memory).
    private static func floatsPerSample(_ kind: LayerKind) -> Int {
        switch kind {
        case .flatten: 0
        case .conv(let g):
            saturatingSum(saturatingProduct(kind.outputShape), saturatingProduct([g.patchesPerSample, g.patchSize]))
        case .dense, .dropout: saturatingProduct(kind.outputShape)
        }
    }

    /// The largest input side: with it, every geometry (patch sizes, padding) stays far from `Int` overflow, and
    /// the products of sides are taken saturating below.
    static let maximumInputSide = 1 << 24

    /// Sizes computed from a spec can overflow `Int` when multiplied (three huge input sides, a dense layer after a
    /// wide flatten); a saturated count is simply over every limit.
    static func saturatingProduct(_ factors: [Int]) -> Int {
        factors.reduce(1) { product, factor in
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            return overflow ? .max : result
        }
    }

    private static func saturatingSum(_ terms: Int...) -> Int {
        terms.reduce(0) { sum, term in
            let (result, overflow) = sum.addingReportingOverflow(term)
            return overflow ? .max : result
        }
    }
}
