/// Everything the next training step reads: resuming from it is the same as never stopping.
public struct Checkpoint: Sendable, Equatable {
    /// 0-based epoch of the next step.
    public var epoch: Int
    /// 0-based step, within that epoch, of the next step.
    public var step: Int
    /// Every parameter in the canonical order.
    public var weights: [Float]
    /// Adam's first moments, in the order of ``weights``.
    public var adamM: [Float]
    /// Adam's second moments, in the order of ``weights``.
    public var adamV: [Float]
    /// The number of Adam steps taken.
    public var adamStep: Int
    /// Sum of the losses of the epoch in progress.
    public var epochLossSum: Double
    /// Correct predictions so far in the epoch in progress.
    public var epochCorrect: Int
    /// Samples seen so far in the epoch in progress.
    public var epochCount: Int
    /// The evaluation embeddings computed before training.
    public var embeddingsBefore: [Float]
    /// When the checkpoint was taken (unix seconds).
    public var createdAt: Double

    /// Creates a checkpoint from the training state before step `step` of epoch `epoch`.
    public init(
        epoch: Int, step: Int, weights: [Float], adamM: [Float], adamV: [Float], adamStep: Int,
        epochLossSum: Double, epochCorrect: Int, epochCount: Int, embeddingsBefore: [Float], createdAt: Double
    ) {
        self.epoch = epoch
        self.step = step
        self.weights = weights
        self.adamM = adamM
        self.adamV = adamV
        self.adamStep = adamStep
        self.epochLossSum = epochLossSum
        self.epochCorrect = epochCorrect
        self.epochCount = epochCount
        self.embeddingsBefore = embeddingsBefore
        self.createdAt = createdAt
    }
}
