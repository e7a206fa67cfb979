import GRDB

/// One submitted experiment as the store keeps it: its spec, its state and, once finished, its result.
public struct ExperimentRecord: Codable, Sendable, Equatable {
    /// `exp-N`, where N is ``sequence``.
    public var id: String
    /// The experiment's place in submission order; never reused, even after a restart or a deletion.
    public var sequence: Int64
    /// The spec's name.
    public var name: String
    /// The canonical spec JSON, after the command line's overrides.
    public var specJSON: String
    /// Where the experiment is in its life.
    public var state: ExperimentState
    /// When it was submitted (unix seconds).
    public var createdAt: Double
    /// When it last started running (unix seconds).
    public var startedAt: Double?
    /// When it reached a final state (unix seconds).
    public var finishedAt: Double?
    /// Why it failed.
    public var error: String?
    /// The final result (`TrainingResult` JSON), set when done.
    public var resultJSON: String?
    /// SHA-256 of the final weights as little-endian float32, set when done.
    public var weightsSha256: String?
    /// The seed sweep the experiment belongs to, if any.
    public var sweepId: String?
    /// The experiment stays queued until this many workers are connected (0 or 1: any one).
    public var minWorkers: Int = 0
}

extension ExperimentRecord: FetchableRecord, PersistableRecord {
    /// The table of experiments.
    public static let databaseTableName = "experiment"

    /// The columns that queries filter and sort on.
    public enum Columns {
        /// The ``ExperimentRecord/sequence`` column.
        public static let sequence = Column("sequence")
        /// The ``ExperimentRecord/state`` column.
        public static let state = Column("state")
    }
}
