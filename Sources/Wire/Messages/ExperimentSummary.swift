/// Where an experiment is in its life.
public enum ExperimentState: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Submitted, waiting for the coordinator to start it.
    case queued = 1
    /// Training or evaluating.
    case running = 2
    /// Finished; results are available.
    case done = 3
    /// Stopped by an error; `message` says which.
    case failed = 4
    /// Stopped by a cancel request.
    case cancelled = 5

    /// The state's lowercase name, as the CLI prints it.
    public var description: String {
        switch self {
        case .queued: "queued"
        case .running: "running"
        case .done: "done"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }
}

/// The state and progress of one experiment, as the CLI shows it.
public struct ExperimentSummary: Hashable, Sendable {
    /// The experiment's id.
    public var id: String
    /// The spec's `name`.
    public var name: String
    /// Where the experiment is in its life.
    public var state: ExperimentState
    /// When it was submitted, in Unix seconds.
    public var createdAt: Double
    /// When it started, in Unix seconds; 0 until then.
    public var startedAt: Double
    /// When it finished, failed or was cancelled, in Unix seconds; 0 until then.
    public var finishedAt: Double
    /// The current epoch, from 0.
    public var epoch: UInt32
    /// The number of epochs in the spec.
    public var epochs: UInt32
    /// The current step within the epoch.
    public var step: UInt32
    /// The number of steps in an epoch.
    public var stepsPerEpoch: UInt32
    /// Recent training throughput.
    public var samplesPerSecond: Double
    /// The mean training loss of the latest epoch so far.
    public var loss: Double
    /// The training accuracy of the latest epoch so far, in 0...1.
    public var accuracy: Double
    /// The number of workers currently computing for it.
    public var workers: UInt32
    /// A human-readable note: the failure reason, or the latest event.
    public var message: String
    /// The seed sweep the experiment belongs to; empty if none.
    public var sweepId: String = ""
    /// The spec's `seed`.
    public var seed: UInt64 = 0
    /// Set on the summary of a whole sweep (the status or cancel reply to a sweep id): its experiments, in seed
    /// order. Travels beside the summary (`StatusReply.sweep_experiments`), never inside it.
    public var sweepExperiments: [ExperimentSummary] = []

    /// Creates a summary; progress fields default to zero.
    public init(
        id: String, name: String, state: ExperimentState, createdAt: Double, startedAt: Double = 0,
        finishedAt: Double = 0, epoch: UInt32 = 0, epochs: UInt32 = 0, step: UInt32 = 0, stepsPerEpoch: UInt32 = 0,
        samplesPerSecond: Double = 0, loss: Double = 0, accuracy: Double = 0, workers: UInt32 = 0, message: String = ""
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.stepsPerEpoch = stepsPerEpoch
        self.samplesPerSecond = samplesPerSecond
        self.loss = loss
        self.accuracy = accuracy
        self.workers = workers
        self.message = message
    }
}
