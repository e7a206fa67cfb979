/// CLI → coordinator: queue an experiment.
public struct SubmitRequest: Hashable, Sendable {
    /// The experiment spec as JSON.
    public var specJSON: String
    /// `key.path=value` overrides (`--set`), applied in order.
    public var overrides: [String]
    /// The experiment stays queued until this many workers are connected (0 or 1: any one).
    public var minWorkers: UInt32

    /// Creates a submit request.
    public init(specJSON: String, overrides: [String] = [], minWorkers: UInt32 = 0) {
        self.specJSON = specJSON
        self.overrides = overrides
        self.minWorkers = minWorkers
    }
}

/// Coordinator → CLI: the id of the queued experiment.
public struct SubmitReply: Hashable, Sendable {
    /// The new experiment's id.
    public var experimentId: String

    /// Creates a submit reply.
    public init(experimentId: String) {
        self.experimentId = experimentId
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

/// Coordinator → CLI: an experiment's result document.
public struct ResultsReply: Hashable, Sendable {
    /// The result as the JSON object `results --json` prints.
    public var resultJSON: String

    /// Creates a results reply.
    public init(resultJSON: String) {
        self.resultJSON = resultJSON
    }
}
