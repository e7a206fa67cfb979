/// CLI → coordinator: queue an experiment.
public struct SubmitRequest: Hashable, Sendable {
    /// The experiment spec as JSON.
    public var specJSON: String
    /// `key.path=value` overrides (`--set`), applied in order.
    public var overrides: [String]
    /// The experiment stays queued until this many workers are connected (0 or 1: any one).
    public var minWorkers: UInt32
    /// Non-empty: queue a seed sweep, one experiment per seed with the spec's `seed` set to it, in this order.
    public var seeds: [UInt64]

    /// Creates a submit request.
    public init(specJSON: String, overrides: [String] = [], minWorkers: UInt32 = 0, seeds: [UInt64] = []) {
        self.specJSON = specJSON
        self.overrides = overrides
        self.minWorkers = minWorkers
        self.seeds = seeds
    }
}

/// Coordinator → CLI: the id of the queued experiment, or of the queued sweep and its experiments.
public struct SubmitReply: Hashable, Sendable {
    /// The new experiment's id; a sweep's first experiment.
    public var experimentId: String
    /// The new sweep's id; empty when a single experiment was queued.
    public var sweepId: String
    /// A sweep's experiments, one per seed, in the order of the request's seeds.
    public var experimentIds: [String]

    /// Creates a submit reply.
    public init(experimentId: String, sweepId: String = "", experimentIds: [String] = []) {
        self.experimentId = experimentId
        self.sweepId = sweepId
        self.experimentIds = experimentIds
    }
}

/// CLI → coordinator: a request naming one experiment (status, results, cancel).
public struct ExperimentRequest: Hashable, Sendable {
    /// The experiment's id.
    public var experimentId: String

    /// Creates a request for one experiment.
    public init(experimentId: String) {
        self.experimentId = experimentId
    }
}

/// CLI → coordinator: one page of the experiments, oldest first.
public struct ListRequest: Hashable, Sendable {
    /// Start after this experiment (the last of the previous page); empty: from the first.
    public var afterId: String
    /// At most this many; 0, or more than the coordinator's page size, asks for its page size.
    public var limit: UInt32

    /// Creates a request for the page after `afterId`.
    public init(afterId: String = "", limit: UInt32 = 0) {
        self.afterId = afterId
        self.limit = limit
    }
}

/// Coordinator → CLI: one page of the experiments.
public struct ListReply: Hashable, Sendable {
    /// The page's experiments, oldest first.
    public var experiments: [ExperimentSummary]
    /// More experiments follow: ask again after the last one.
    public var more: Bool

    /// Creates a page.
    public init(experiments: [ExperimentSummary], more: Bool = false) {
        self.experiments = experiments
        self.more = more
    }
}

/// CLI → coordinator: new progress lines of an experiment.
public struct WatchRequest: Hashable, Sendable {
    /// The experiment's id.
    public var experimentId: String
    /// Only events with a greater sequence number are returned; 0 returns all.
    public var afterSequence: UInt64

    /// Creates a watch request.
    public init(experimentId: String, afterSequence: UInt64 = 0) {
        self.experimentId = experimentId
        self.afterSequence = afterSequence
    }
}

/// One progress line of an experiment.
public struct WatchEvent: Hashable, Sendable {
    /// The event's number, from 1, increasing by one per event of the experiment.
    public var sequence: UInt64
    /// When the event happened, in Unix seconds.
    public var time: Double
    /// The progress line, as `watch` prints it.
    public var line: String

    /// Creates a watch event.
    public init(sequence: UInt64, time: Double, line: String) {
        self.sequence = sequence
        self.time = time
        self.line = line
    }
}

/// Coordinator → CLI: the experiment's summary and its events after the requested sequence number.
public struct WatchReply: Hashable, Sendable {
    /// The experiment's current state.
    public var summary: ExperimentSummary
    /// The new events, in sequence order.
    public var events: [WatchEvent]

    /// Creates a watch reply.
    public init(summary: ExperimentSummary, events: [WatchEvent]) {
        self.summary = summary
        self.events = events
    }
}

/// Coordinator → CLI: an experiment's or a sweep's result document.
public struct ResultsReply: Hashable, Sendable {
    /// An experiment's result as the JSON object `results --json` prints; empty for a sweep.
    public var resultJSON: String
    /// A sweep's per-seed rows and statistics (Core's `SweepResult`) as JSON; empty for an experiment.
    public var sweepResultJSON: String

    /// Creates a results reply.
    public init(resultJSON: String = "", sweepResultJSON: String = "") {
        self.resultJSON = resultJSON
        self.sweepResultJSON = sweepResultJSON
    }
}
