/// What an evaluation computes.
public enum EvaluationKind: UInt32, Hashable, Sendable, CaseIterable {
    /// The activations of a named layer, with dropout off.
    case embeddings = 1
    /// Loss and correct count over a range of samples.
    case testAccuracy = 2
}

/// Which part of the dataset an evaluation reads.
public enum DatasetSplit: UInt32, Hashable, Sendable, CaseIterable {
    /// The training images.
    case train = 1
    /// The test images.
    case test = 2
}

/// Coordinator → worker: evaluate samples `begin..<end` of a split with one weights version.
public struct EvaluationRequest: Hashable, Sendable {
    /// The experiment the evaluation belongs to.
    public var experimentId: String
    /// The weights version to evaluate.
    public var weightsVersion: UInt64
    /// What to compute.
    public var kind: EvaluationKind
    /// Which split the samples come from.
    public var split: DatasetSplit
    /// The first sample.
    public var begin: UInt32
    /// One past the last sample.
    public var end: UInt32
    /// The layer whose activations are the embeddings (``EvaluationKind/embeddings`` only).
    public var layer: String
    /// The weights, sent inline when the worker does not hold `weightsVersion` yet.
    public var weights: Tensor?

    /// Creates an evaluation request.
    public init(
        experimentId: String, weightsVersion: UInt64, kind: EvaluationKind, split: DatasetSplit, begin: UInt32,
        end: UInt32, layer: String = "", weights: Tensor? = nil
    ) {
        self.experimentId = experimentId
        self.weightsVersion = weightsVersion
        self.kind = kind
        self.split = split
        self.begin = begin
        self.end = end
        self.layer = layer
        self.weights = weights
    }
}

/// Worker → coordinator: the answer to an ``EvaluationRequest``.
public struct EvaluationResult: Hashable, Sendable {
    /// The experiment the evaluation belongs to.
    public var experimentId: String
    /// The weights version evaluated.
    public var weightsVersion: UInt64
    /// What was computed.
    public var kind: EvaluationKind
    /// Which split the samples came from.
    public var split: DatasetSplit
    /// The first sample.
    public var begin: UInt32
    /// One past the last sample.
    public var end: UInt32
    /// The embeddings, shape `[end - begin, dims]` (``EvaluationKind/embeddings`` only).
    public var embeddings: Tensor?
    /// How many samples were classified correctly (``EvaluationKind/testAccuracy`` only).
    public var correctCount: UInt32
    /// The sum of the per-sample losses (``EvaluationKind/testAccuracy`` only).
    public var lossSum: Double
    /// The worker's compute time.
    public var computeSeconds: Double

    /// Creates an evaluation result.
    public init(
        experimentId: String, weightsVersion: UInt64, kind: EvaluationKind, split: DatasetSplit, begin: UInt32,
        end: UInt32, embeddings: Tensor? = nil, correctCount: UInt32 = 0, lossSum: Double = 0,
        computeSeconds: Double
    ) {
        self.experimentId = experimentId
        self.weightsVersion = weightsVersion
        self.kind = kind
        self.split = split
        self.begin = begin
        self.end = end
        self.embeddings = embeddings
        self.correctCount = correctCount
        self.lossSum = lossSum
        self.computeSeconds = computeSeconds
    }
}
