/// What a run reports: the `--json` object of `train --local` and `run` (camelCase keys, like the spec).
public struct TrainingResult: Codable, Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var epochs: [EpochMetrics]
    public var testAccuracy: Double?
    public var trainSeconds: Double
    public var samplesPerSecond: Double
    public var weightsSha256: String
    public var parameterCount: Int
    public var steps: Int
    public var losses: EmbeddingLossReport?
    public var exerciseAnswer: ExerciseAnswer?
    /// The losses once per draw seed of `evaluation.seeds`, with mean ± sd; absent when it lists only
    /// `evaluation.seed`.
    public var drawSeeds: DrawSeedReport?
    /// kNN accuracy and recall@1 of the trained embedding on the test images; absent without test images.
    public var embeddingQuality: EmbeddingQuality?
    /// Worker processes that trained it; absent for `train --local`.
    public var workers: Int?
    /// Faults the run survived; absent for `train --local`.
    public var events: TrainingEvents?
    /// Where the coordinator's step time went; absent for `train --local`.
    public var stepTimings: StepTimings?
    /// The evaluated embeddings before and after training, for reports.
    public var embeddings: EmbeddingSnapshot?
    /// The spec's length, data sizes and objectives, which a report states.
    public var setup: RunSetup?
    /// Peak resident memory of each process `run` started, in MB (`coordinator`, `worker-1`, ...).
    public var peakResidentMB: [String: Double]?

    public init(
        name: String, seed: UInt64, epochs: [EpochMetrics], testAccuracy: Double?, trainSeconds: Double,
        samplesPerSecond: Double, weightsSha256: String, parameterCount: Int, steps: Int,
        losses: EmbeddingLossReport?, workers: Int? = nil
    ) {
        self.name = name
        self.seed = seed
        self.epochs = epochs
        self.testAccuracy = testAccuracy
        self.trainSeconds = trainSeconds
        self.samplesPerSecond = samplesPerSecond
        self.weightsSha256 = weightsSha256
        self.parameterCount = parameterCount
        self.steps = steps
        self.losses = losses
        self.exerciseAnswer = losses.map {
            ExerciseAnswer.of(
                contrastive: ($0.contrastive.before, $0.contrastive.after),
                triplet: ($0.triplet.before, $0.triplet.after))
        }
        self.workers = workers
    }
}

/// One epoch's training metrics: mean loss and accuracy over its samples (with dropout, as Keras reports them).
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var seconds: Double

    public init(epoch: Int, loss: Double, accuracy: Double, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.seconds = seconds
    }
}

/// A loss before and after training.
public struct LossPair: Codable, Sendable, Equatable {
    public var before: Double
    public var after: Double
    public init(before: Double, after: Double) {
        self.before = before
        self.after = after
    }
}

/// The exercise's two embedding losses, before and after training.
public struct EmbeddingLossReport: Codable, Sendable, Equatable {
    public var contrastive: LossPair
    public var triplet: LossPair
    public init(contrastive: LossPair, triplet: LossPair) {
        self.contrastive = contrastive
        self.triplet = triplet
    }
}

/// What happened to a distributed run on its way: none of it changes the weights.
public struct TrainingEvents: Codable, Sendable, Equatable {
    public var workersLost = 0
    public var workersJoined = 0
    public var reassignedChunks = 0
    public var resumes = 0
    /// Checkpoints written, and the seconds spent writing them.
    public var checkpoints = 0
    public var checkpointSeconds = 0.0
    /// Runs of chunks a second worker computed again to check the bits (`determinism.auditFraction`), and how
    /// many of those audits disagreed; absent from results older than the audit.
    public var auditedRuns: Int?
    public var auditMismatches: Int?
    /// Results refused because the worker computed with weights whose digest differed from the coordinator's
    /// (`coordinator --replica-check-interval`); absent when the check was off, or from older results.
    public var replicaMismatches: Int?
    /// Sharded groups formed (the workers reduced among themselves, Docs/ShardedReduction.md), and how many rolled
    /// back to their last gathered state; absent when no group formed.
    public var shardedGroups: Int?
    public var shardedRollbacks: Int?

    public init(workersLost: Int = 0, workersJoined: Int = 0, reassignedChunks: Int = 0, resumes: Int = 0,
                checkpoints: Int = 0, checkpointSeconds: Double = 0, auditedRuns: Int? = nil,
                auditMismatches: Int? = nil, replicaMismatches: Int? = nil, shardedGroups: Int? = nil,
                shardedRollbacks: Int? = nil) {
        self.shardedGroups = shardedGroups
        self.shardedRollbacks = shardedRollbacks
        self.replicaMismatches = replicaMismatches
        self.auditedRuns = auditedRuns
        self.auditMismatches = auditMismatches
        self.workersLost = workersLost
        self.workersJoined = workersJoined
        self.reassignedChunks = reassignedChunks
        self.resumes = resumes
        self.checkpoints = checkpoints
        self.checkpointSeconds = checkpointSeconds
    }
}

/// Totals over a run's steps, in seconds, as the coordinator measured them: `compute` is the slowest worker's
/// gradient time in each step (the critical path), `reduce` completing the chunk tree, `optimizer` the Adam step,
/// and `other` the rest of the step's wall time (messages, copies, waiting for results).
public struct StepTimings: Codable, Sendable, Equatable {
    public var steps = 0
    public var wall = 0.0
    public var compute = 0.0
    public var reduce = 0.0
    public var optimizer = 0.0
    /// A sharded group's exchange (Docs/ShardedReduction.md): from the end of computing to holding the new weights,
    /// the slowest member's; it holds the members' reduce and Adam, which the coordinator's ``reduce`` and
    /// ``optimizer`` then do not.
    public var exchange = 0.0
    public var other: Double { max(0, wall - compute - reduce - optimizer - exchange) }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case steps, wall, compute, reduce, optimizer, exchange, other
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.decode(Int.self, forKey: .steps)
        wall = try c.decode(Double.self, forKey: .wall)
        compute = try c.decode(Double.self, forKey: .compute)
        reduce = try c.decode(Double.self, forKey: .reduce)
        optimizer = try c.decode(Double.self, forKey: .optimizer)
        exchange = try c.decodeIfPresent(Double.self, forKey: .exchange) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(steps, forKey: .steps)
        try c.encode(wall, forKey: .wall)
        try c.encode(compute, forKey: .compute)
        try c.encode(reduce, forKey: .reduce)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(exchange, forKey: .exchange)
        try c.encode(other, forKey: .other)
    }
}

/// The embeddings the losses were evaluated on: `labels.count` rows of `width` values, row-major.
public struct EmbeddingSnapshot: Codable, Sendable, Equatable {
    public var labels: [Int]
    public var width: Int
    public var before: [Float]
    public var after: [Float]
    /// The spec's `dataset.classNames`, by label; absent when it names none and reports show the labels.
    public var classNames: [String]?

    public init(labels: [Int], width: Int, before: [Float], after: [Float], classNames: [String] = []) {
        self.labels = labels
        self.width = width
        self.before = before
        self.after = after
        self.classNames = classNames.isEmpty ? nil : classNames
    }
}
