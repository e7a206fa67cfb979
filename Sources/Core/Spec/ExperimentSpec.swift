/// An experiment: data, model, training recipe, evaluation and determinism settings (Docs/Platform.md, "The
/// experiment spec"). The JSON names are a contract: fields are added, never renamed.
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

/// Where the data is, in which format, and how much of it a run uses (Docs/Datasets.md).
public struct DatasetSpec: Sendable, Equatable {
    public static let defaultPath = "/usr/share/datasets/fashion-mnist"
    /// The folder holding the files.
    public var path: String
    public var format: DatasetFormat
    /// `npy` only: the `.npz` archive in ``path`` holding the arrays; nil: they are `.npy` files in ``path``.
    public var npz: String?
    /// Train on the first `trainLimit` training images (the exercise: 10,000).
    public var trainLimit: Int
    /// Evaluate test accuracy on the first `testLimit` test images.
    public var testLimit: Int
    /// `npy` only: when above 0, the set is one pair of arrays (`images`, `labels`) and this share of it, drawn
    /// with ``splitSeed``, is the test set (``DatasetSplit``); 0: separate training and test arrays.
    public var testFraction: Double
    /// The seed of the split. Not the spec's `seed`, so that a seed sweep trains every seed on the same split.
    public var splitSeed: UInt64
    /// The name of each class, by label, for reports; empty: classes are shown as numbers.
    public var classNames: [String]
}

/// How a dataset's files are stored.
public enum DatasetFormat: String, Sendable, CaseIterable {
    /// The four IDX files of an MNIST-format set (Fashion-MNIST), gzipped or not.
    case idx
    /// NumPy arrays: `.npy` files, or one `.npz` archive.
    case npy
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
    /// The stages in order; their epochs add up to ``epochs``. A spec without `training.stages` has one stage of
    /// all epochs with `training.objective` (default `crossEntropy`) and `training.margin`.
    public var stages: [TrainingStage]
}

/// What a stage of training minimises. The metric objectives act on the output of the `evaluation.layer` layer
/// (``TrainingStages`` explains how pairs are formed and which parameters they train).
public enum TrainingObjective: String, Sendable, CaseIterable {
    /// Categorical cross-entropy of the final softmax layer (the exercise).
    case crossEntropy
    /// Hadsell et al.'s contrastive loss with the exercise's formula: `d²/2` for a pair of one class,
    /// `max(0, margin − d²)/2` otherwise, `d` the Euclidean distance of the two embeddings.
    case contrastive
    /// `max(0, margin + d(a, p)² − d(a, n)²)` for an anchor, a positive of its class and a negative of another.
    case triplet

    /// Whether the objective compares embeddings rather than classifying.
    public var isMetric: Bool { self != .crossEntropy }
}

/// A run of consecutive epochs trained with one objective and a fresh Adam.
public struct TrainingStage: Sendable, Equatable {
    public var epochs: Int
    public var objective: TrainingObjective
    /// The margin of a contrastive or triplet objective.
    public var margin: Double
    public var learningRate: Double

    public init(epochs: Int, objective: TrainingObjective, margin: Double, learningRate: Double) {
        self.epochs = epochs
        self.objective = objective
        self.margin = margin
        self.learningRate = learningRate
    }
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
    /// `evaluation.seeds`: the draw seeds the losses are also evaluated with, one evaluation per seed, to tell the
    /// noise of the draw from the effect of training (``DrawSeedReport``). Defaults to just ``seed``.
    public var seeds: [Int]
}

/// How a minibatch is cut into canonical chunks (Docs/Determinism.md, point 2).
public struct DeterminismSpec: Sendable, Equatable {
    public static let defaultChunkSize = 8
    public static let defaultAuditFraction = 0.01
    public var chunkSize: Int
    /// The share of a step's runs of chunks that a second worker computes again, to check that it gets the same
    /// bits (every result is a pure function of its inputs, so any difference is a faulty worker). 0 turns the
    /// audit off; it needs two workers.
    public var auditFraction: Double

    public init(chunkSize: Int = defaultChunkSize, auditFraction: Double = defaultAuditFraction) {
        self.chunkSize = chunkSize
        self.auditFraction = auditFraction
    }
}
