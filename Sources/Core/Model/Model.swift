/// A spec compiled into layers with shapes and parameter offsets. Parameters live in one flat Float array in
/// canonical order: layer by layer in spec order, kernel before bias, kernels in Keras's layout (conv
/// `[kh, kw, cin, cout]`, dense `[in, out]`), so the array's little-endian bytes are what `weightsSha256` hashes.
public struct Model: Sendable {
    public let inputShape: [Int]
    public let layers: [CompiledLayer]
    /// Every kernel and bias, in canonical order.
    public let parameters: [ParameterTensor]
    public let parameterCount: Int

    /// Compiles a model spec.
    /// - Throws: ``SpecError`` when the layers do not fit together.
    public init(_ spec: ModelSpec) throws(SpecError) {
        let problems = ModelShapes.problems(spec, evaluationLayer: nil, chunkRows: 1, limits: .maximum)
        if !problems.isEmpty { throw SpecError(problems: problems) }
        var layers: [CompiledLayer] = []
        var parameters: [ParameterTensor] = []
        var shape = spec.input
        var offset = 0
        let names = ModelShapes.displayNames(spec.layers)
        for (index, layerSpec) in spec.layers.enumerated() {
            let kind = ModelShapes.kind(of: layerSpec, input: shape)
            var kernel: ParameterTensor?
            var bias: ParameterTensor?
            if let (kernelShape, fanIn, fanOut, units) = kind.parameterShapes {
                let k = ParameterTensor(
                    index: parameters.count, offset: offset, shape: kernelShape, fanIn: fanIn, fanOut: fanOut,
                    isBias: false)
                offset += k.count
                let b = ParameterTensor(
                    index: parameters.count + 1, offset: offset, shape: [units], fanIn: fanIn, fanOut: fanOut,
                    isBias: true)
                offset += b.count
                parameters += [k, b]
                kernel = k
                bias = b
            }
            let layer = CompiledLayer(
                index: index, kind: kind, activation: layerSpec.activation, name: names[index],
                typeName: layerSpec.typeName, inputShape: shape, outputShape: kind.outputShape, kernel: kernel, bias: bias)
            layers.append(layer)
            shape = kind.outputShape
        }
        self.inputShape = spec.input
        self.layers = layers
        self.parameters = parameters
        self.parameterCount = offset
    }

    /// Elements in one input sample.
    public var inputSize: Int { inputShape.reduce(1, *) }

    /// Classes the final softmax layer predicts.
    public var classCount: Int { layers.last!.outputSize }

    /// How many leading parameters belong to layers `0...layer`: the canonical order puts them first.
    public func parameterPrefix(through layer: Int) -> Int {
        layers[(layer + 1)...].lazy.compactMap { $0.kernel?.offset }.first ?? parameterCount
    }

    /// The layer a name refers to (a spec name such as `embedding`, or a Keras-style default name).
    public func layer(named name: String) -> CompiledLayer? {
        layers.first { $0.name == name }
    }
}

/// One kernel or bias inside the flat parameter array.
public struct ParameterTensor: Sendable {
    /// Position in canonical order; keys the tensor's initialisation stream.
    public let index: Int
    public let offset: Int
    public let shape: [Int]
    public let fanIn: Int
    public let fanOut: Int
    public let isBias: Bool
    public var count: Int { shape.reduce(1, *) }
}

/// A layer with everything the kernels need to know about it.
public struct CompiledLayer: Sendable {
    public let index: Int
    public let kind: LayerKind
    public let activation: Activation
    /// The spec's name, or Keras's default (`conv2d`, `conv2d_1`, `dense`, ...).
    public let name: String
    public let typeName: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let kernel: ParameterTensor?
    public let bias: ParameterTensor?

    public var inputSize: Int { inputShape.reduce(1, *) }
    public var outputSize: Int { outputShape.reduce(1, *) }
    public var parameterCount: Int { (kernel?.count ?? 0) + (bias?.count ?? 0) }
}

/// The geometry of each kind of layer.
public enum LayerKind: Sendable {
    case conv(ConvGeometry)
    case dense(inputs: Int, units: Int)
    case flatten(size: Int)
    case dropout(rate: Float, size: Int, shape: [Int])

    public var outputShape: [Int] {
        switch self {
        case .conv(let g): return [g.outH, g.outW, g.outC]
        case .dense(_, let units): return [units]
        case .flatten(let size): return [size]
        case .dropout(_, _, let shape): return shape
        }
    }

    /// Kernel shape, fan-in, fan-out and units, for layers with parameters.
    var parameterShapes: ([Int], Int, Int, Int)? {
        switch self {
        case .conv(let g):
            return ([g.kernel, g.kernel, g.inC, g.outC], g.kernel * g.kernel * g.inC, g.kernel * g.kernel * g.outC,
                    g.outC)
        case .dense(let inputs, let units):
            return ([inputs, units], inputs, units, units)
        case .flatten, .dropout:
            return nil
        }
    }
}

/// A 2-D convolution's sizes. Padding follows Keras: `same` gives `ceil(in / stride)` outputs and puts the odd
/// padding pixel at the bottom and right.
public struct ConvGeometry: Sendable, Equatable {
    public let inH, inW, inC: Int
    public let outH, outW, outC: Int
    public let kernel, stride: Int
    public let padTop, padLeft: Int

    /// Rows of the im2col matrix per sample, and its columns (`kh * kw * cin`, the kernel's leading dims).
    public var patchesPerSample: Int { outH * outW }
    public var patchSize: Int { kernel * kernel * inC }
}

extension LayerSpec {
    /// Keras's class-based default name.
    var typeName: String {
        switch self {
        case .conv2d: return "conv2d"
        case .dense: return "dense"
        case .flatten: return "flatten"
        case .dropout: return "dropout"
        }
    }

    var activation: Activation {
        switch self {
        case .conv2d(_, _, _, _, let a, _), .dense(_, let a, _): return a
        case .flatten, .dropout: return .linear
        }
    }
}
