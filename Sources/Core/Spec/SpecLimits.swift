/// Upper bounds on the sizes a spec may ask for, so one submit cannot exhaust the memory (or, for epochs, hold
/// the queue for ever) of the coordinator and its workers. A coordinator takes each as an option
/// (`--max-epochs`, ...; `Docs/Security.md` lists them); a spec over one is refused with a
/// ``SpecError`` naming the field, its value, the limit and the option that raises it.
public struct SpecLimits: Sendable, Equatable {
    /// `training.epochs` (over all stages): bounds run time.
    public var epochs = 10_000
    /// `training.batchSize`: bounds the coordinator's per-step bookkeeping and a step's work.
    public var batchSize = 65_536
    /// Each dense layer's `units` and each conv2d layer's `filters`.
    public var layerUnits = 65_536
    /// Weights and biases of the whole model. The default's weights (40 MB) fit in one message of the default
    /// `--max-message-size` (64 MiB); raising it past a quarter of that needs a larger message size too.
    public var parameters = 10_000_000
    /// Floats one chunk needs in a forward pass: `determinism.chunkSize` times (the input, every layer's output and
    /// every convolution's patch matrix, per sample). Bounds a worker's buffers, which the parameters do not: a
    /// wide convolution has few weights but large outputs.
    public var activations = 1 << 25
    /// `dataset.trainLimit`: training images held in memory (the default is all of Fashion-MNIST's).
    public var trainSamples = 60_000
    /// `dataset.testLimit`: test images held and evaluated.
    public var testSamples = 10_000
    /// `evaluation.samples`: embeddings computed and compared before and after training.
    public var evaluationSamples = 10_000

    public init() {}

    /// The defaults above: what `train --local`, `run` and a coordinator without limit options use.
    public static let defaults = SpecLimits()

    /// The most any limit may be raised to. Specs already admitted under some limits (a stored experiment, the
    /// spec a coordinator sends its workers) are parsed against these, which keep all size arithmetic far from
    /// overflow.
    public static let maximum: SpecLimits = {
        var m = SpecLimits()
        m.epochs = 1_000_000
        m.batchSize = 1 << 24
        m.layerUnits = 1 << 24
        m.parameters = 1 << 34
        m.activations = 1 << 40
        m.trainSamples = 1 << 32
        m.testSamples = 1 << 32
        m.evaluationSamples = 1 << 32
        return m
    }()

    /// One of the limits.
    public enum Kind: String, CaseIterable, Sendable {
        case epochs, batchSize, layerUnits, parameters, activations, trainSamples, testSamples, evaluationSamples

        /// The coordinator option (and `train --local` option) that sets it: `--max-epochs`, `--max-batch-size`.
        public var option: String {
            "--max-" + rawValue.reduce(into: "") { name, c in
                name += c.isUppercase ? "-" + c.lowercased() : String(c)
            }
        }

        public var keyPath: WritableKeyPath<SpecLimits, Int> {
            switch self {
            case .epochs: \.epochs
            case .batchSize: \.batchSize
            case .layerUnits: \.layerUnits
            case .parameters: \.parameters
            case .activations: \.activations
            case .trainSamples: \.trainSamples
            case .testSamples: \.testSamples
            case .evaluationSamples: \.evaluationSamples
            }
        }
    }

    public subscript(kind: Kind) -> Int {
        get { self[keyPath: kind.keyPath] }
        set { self[keyPath: kind.keyPath] = newValue }
    }

    /// The problem of `value` at `path` if it is over limit `kind`, else nil.
    /// - Parameter quantity: what is counted, for values that are not the field itself (`has 12 parameters`).
    func problem(_ kind: Kind, path: String, value: Int, quantity: String? = nil) -> SpecError.Problem? {
        let limit = self[kind]
        guard value > limit else { return nil }
        let what = quantity.map { "has \(value) \($0)" } ?? "is \(value)"
        return .init(path: path, message: "\(what), over the limit of \(limit) (raise it with \(kind.option) on the "
            + "coordinator, or on `train --local`)")
    }

    /// The problems of the spec's own fields (the model's sizes are checked with its shapes, in ``ModelShapes``).
    func problems(in spec: ExperimentSpec) -> [SpecError.Problem] {
        [
            problem(.epochs, path: "training.epochs", value: spec.training.epochs),
            problem(.batchSize, path: "training.batchSize", value: spec.training.batchSize),
            problem(.trainSamples, path: "dataset.trainLimit", value: spec.dataset.trainLimit),
            problem(.testSamples, path: "dataset.testLimit", value: spec.dataset.testLimit),
            problem(.evaluationSamples, path: "evaluation.samples", value: spec.evaluation.samples),
        ].compactMap { $0 }
    }
}
