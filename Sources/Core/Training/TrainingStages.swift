/// A spec's training stages resolved against its model: the epochs each covers, its objective, and how many
/// leading parameters it trains.
///
/// A crossEntropy stage trains every parameter. A contrastive or triplet stage trains the layers up to and
/// including the `evaluation.layer` layer (a prefix of the canonical parameter array) and leaves the classifier
/// after it frozen: its gradient is zero and Adam does not touch it. Every stage starts with a fresh Adam at its
/// learning rate, as a Keras user recompiling a model for the next stage gets.
public struct TrainingStages: Sendable {
    public struct Stage: Sendable, Equatable {
        /// The global epochs (0-based) the stage covers.
        public let epochs: Range<Int>
        public let objective: TrainingObjective
        public let margin: Float
        public let learningRate: Double
        /// The stage trains parameters `0..<trainableCount`.
        public let trainableCount: Int
    }

    public let stages: [Stage]
    /// The index of the layer whose output the metric objectives compare.
    public let embeddingLayer: Int

    public init(spec: ExperimentSpec, model: Model) {
        let layer = model.layer(named: spec.evaluation.layer)?.index ?? model.layers.count - 1
        let prefix = model.parameterPrefix(through: layer)
        var first = 0
        stages = spec.training.stages.map { s in
            defer { first += s.epochs }
            return Stage(
                epochs: first..<(first + s.epochs), objective: s.objective, margin: Float(s.margin),
                learningRate: s.learningRate, trainableCount: s.objective.isMetric ? prefix : model.parameterCount)
        }
        embeddingLayer = layer
    }

    /// The stage training epoch `epoch`.
    public func stage(epoch: Int) -> Stage {
        stages.first { $0.epochs.contains(epoch) } ?? stages[stages.count - 1]
    }

    /// Rows a chunk needs per anchor at most: 1 (cross-entropy), 2 (contrastive pairs) or 3 (triplets).
    public var rowsPerAnchor: Int {
        stages.map { $0.objective.rowsPerAnchor }.max() ?? 1
    }

    /// Whether any stage trains the softmax classifier, so test accuracy means something.
    public var trainsClassifier: Bool {
        stages.contains { $0.objective == .crossEntropy }
    }

    /// Whether step `step` of epoch `epoch` begins a later stage, which starts a fresh Adam (its step count from 1).
    public func startsFreshAdam(epoch: Int, step: Int) -> Bool {
        step == 0 && epoch > 0 && epoch == stage(epoch: epoch).epochs.lowerBound
    }

    /// Call before the update of step `step` of epoch `epoch`: replaces `optimizer` with a fresh Adam at the
    /// stage's learning rate when a later stage begins there. It depends on (epoch, step) alone, so a run restored
    /// from a checkpoint does the same.
    public func prepare(_ optimizer: inout Adam, epoch: Int, step: Int) {
        guard startsFreshAdam(epoch: epoch, step: step) else { return }
        let stage = stage(epoch: epoch)
        optimizer = Adam(
            parameterCount: optimizer.m.count, learningRate: Float(stage.learningRate), beta1: optimizer.beta1,
            beta2: optimizer.beta2, epsilon: optimizer.epsilon)
    }
}

extension TrainingObjective {
    /// Rows a chunk computes per anchor: the anchor and its partners.
    public var rowsPerAnchor: Int {
        switch self {
        case .crossEntropy: return 1
        case .contrastive: return 2
        case .triplet: return 3
        }
    }
}
