import Core
import GRDB

extension ExperimentStore {
    /// Stores the statistics of one epoch, replacing any stored for the same epoch (a resumed epoch is rerun).
    /// - Throws: ``StoreError`` with code `notFound` when the experiment does not exist.
    public func appendEpoch(id: String, _ epoch: EpochMetrics) throws {
        try write("store epoch \(epoch.epoch)", id: id) { db in
            try EpochRow(experimentId: id, epoch).insert(db, onConflict: .replace)
        }
    }

    /// The stored epochs of an experiment, in epoch order.
    public func epochs(id: String) throws -> [EpochMetrics] {
        try read("read the epochs", id: id) { db in
            try EpochRow.filter(Column("experimentId") == id).order(Column("epoch")).fetchAll(db).map(\.stored)
        }
    }

    /// Appends a line to an experiment's log, numbered after the last one (the first is 1).
    /// - Returns: The stored event.
    /// - Throws: ``StoreError`` with code `notFound` when the experiment does not exist.
    @discardableResult
    public func appendEvent(id: String, kind: String, line: String, at time: Double) throws -> StoredEvent {
        try write("log an event", id: id) { db in
            let last = try EventRow.filter(Column("experimentId") == id)
                .select(max(Column("sequence")), as: Int64.self)
                .fetchOne(db)
            let row = EventRow(experimentId: id, sequence: (last ?? 0) + 1, time: time, kind: kind, line: line)
            try row.insert(db)
            return row.stored
        }
    }

    /// The events of an experiment numbered after `sequence`, in order: pass 0 for all, then the last one seen.
    public func events(id: String, after sequence: Int64) throws -> [StoredEvent] {
        try read("read the events", id: id) { db in
            try EventRow.filter(Column("experimentId") == id && Column("sequence") > sequence)
                .order(Column("sequence"))
                .fetchAll(db)
                .map(\.stored)
        }
    }
}
