import GRDB

/// One seed sweep as the store keeps it: one spec trained once per seed. Its experiments are the rows of the
/// experiment table whose `sweepId` is its id, in submission order, which is the order of its seeds.
public struct SweepRecord: Codable, Sendable, Equatable {
    /// `sweep-N`, where N is ``sequence``.
    public var id: String
    /// The sweep's place in submission order; never reused.
    public var sequence: Int64
    /// The spec's name.
    public var name: String
    /// When it was submitted (unix seconds).
    public var createdAt: Double
}

extension SweepRecord: FetchableRecord, PersistableRecord {
    /// The table of sweeps (migration `v3-sweeps`).
    public static let databaseTableName = "sweep"

    /// The columns that queries sort on.
    public enum Columns {
        /// The ``SweepRecord/sequence`` column.
        public static let sequence = Column("sequence")
    }
}
