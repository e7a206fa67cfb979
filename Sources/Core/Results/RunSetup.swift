/// What a result was trained on, for reports: the spec's length, data sizes and objectives.
public struct RunSetup: Codable, Sendable, Equatable {
    public var epochs: Int
    public var trainLimit: Int
    public var testLimit: Int
    public var batchSize: Int
    /// Each stage's epochs and objective, in order (one for a spec without stages).
    public var stages: [Stage]

    public struct Stage: Codable, Sendable, Equatable {
        public var epochs: Int
        public var objective: String
    }

    public init(spec: ExperimentSpec) {
        epochs = spec.training.epochs
        trainLimit = spec.dataset.trainLimit
        testLimit = spec.dataset.testLimit
        batchSize = spec.training.batchSize
        stages = spec.training.stages.map { Stage(epochs: $0.epochs, objective: $0.objective.rawValue) }
    }

    /// `20 epochs of crossEntropy · trainLimit 10000 · testLimit 10000 · batch 32`; stages joined by `then`.
    public var text: String {
        let training = stages.count == 1
            ? "\(epochs) epochs of \(stages[0].objective)"
            : "\(epochs) epochs: " + stages.map { "\($0.epochs) of \($0.objective)" }.joined(separator: ", then ")
        return "\(training) · trainLimit \(trainLimit) · testLimit \(testLimit) · batch \(batchSize)"
    }
}
