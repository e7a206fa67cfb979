/// An experiment: data, model, training recipe, evaluation and determinism settings (DESIGN.md, "The experiment
/// spec"). The JSON names are a contract: fields are added, never renamed.
public struct ExperimentSpec: Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var dataset: DatasetSpec
    public var model: ModelSpec
    public var training: TrainingSpec
    public var evaluation: EvaluationSpec
    public var determinism: DeterminismSpec
    public var checkpoint: CheckpointSpec
}

/// When the coordinator writes a checkpoint: at every epoch end, and every `everySteps` steps if that is set.
public struct CheckpointSpec: Sendable, Equatable {
    /// 0: only at epoch ends.
    public var everySteps: Int
}

/// Where the IDX files are and how much of them a run uses.
public struct DatasetSpec: Sendable, Equatable {
    public static let defaultPath = "/usr/share/datasets/fashion-mnist"
    /// The folder holding `train-images-idx3-ubyte(.gz)` and its three siblings.
    public var path: String
    /// Train on the first `trainLimit` training images (the exercise: 10,000).
    public var trainLimit: Int
    /// Evaluate test accuracy on the first `testLimit` test images.
    public var testLimit: Int
}

/// The network: an input shape (height, width, channels) and a list of layers, applied in order (NHWC).
public struct ModelSpec: Sendable, Equatable {
    public var input: [Int]
    public var layers: [LayerSpec]
}

/// One layer of the model, as written in the spec.
public enum LayerSpec: Sendable, Equatable {
    case conv2d(filters: Int, kernel: Int, stride: Int, padding: Padding, activation: Activation, name: String?)
    case dense(units: Int, activation: Activation, name: String?)
    case flatten(name: String?)
    case dropout(rate: Double, name: String?)

    /// The name the spec gave the layer, if any.
    public var name: String? {
        switch self {
        case .conv2d(_, _, _, _, _, let name), .dense(_, _, let name), .flatten(let name), .dropout(_, let name):
            return name
        }
    }
}

/// Convolution padding, as Keras defines it.
public enum Padding: String, Sendable, CaseIterable {
    case valid, same
}

/// A layer's activation function.
public enum Activation: String, Sendable, CaseIterable {
    case linear, relu, softmax
}

/// The training recipe. Adam's constants follow Keras (see ``Adam``).
public struct TrainingSpec: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var shuffle: Bool
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
}

/// What to measure on the learned embedding.
public struct EvaluationSpec: Sendable, Equatable {
    /// The name of the layer whose output is the embedding.
    public var layer: String
    /// Evaluate the losses on the first `samples` training images.
    public var samples: Int
    /// The `random.seed` of the pair and triplet draws.
    public var seed: Int
    public var margin: Double
    public var testAccuracy: Bool
}

/// How a minibatch is cut into canonical chunks (DESIGN.md, "Determinism contract").
public struct DeterminismSpec: Sendable, Equatable {
    public static let defaultChunkSize = 8
    public var chunkSize: Int
}
