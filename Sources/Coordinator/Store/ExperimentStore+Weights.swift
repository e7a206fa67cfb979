import Core
import GRDB

extension ExperimentStore {
    /// The final weights stored by ``finish(id:state:at:error:resultJSON:weights:weightsSha256:)``, or nil.
    public func finalWeights(id: String) throws -> [Float]? {
        try read("read the final weights", id: id) { db in
            try FinalWeightsRow.fetchOne(db, key: id).map { try FloatBlob.floats($0.weights, column: "weights") }
        }
    }

    /// Stores an experiment's checkpoint in place of the previous one, in one transaction.
    /// - Throws: ``StoreError`` with code `notFound` when the experiment does not exist.
    public func saveCheckpoint(id: String, _ checkpoint: Checkpoint) throws {
        try write("save the checkpoint", id: id) { db in
            try CheckpointRow(experimentId: id, checkpoint).insert(db, onConflict: .replace)
        }
    }

    /// The experiment's last saved checkpoint, or nil.
    public func checkpoint(id: String) throws -> Checkpoint? {
        try read("read the checkpoint", id: id) { db in
            try CheckpointRow.fetchOne(db, key: id)?.checkpoint()
        }
    }

    /// Drops the experiment's checkpoint, if any, and gives its space back to the file system.
    public func deleteCheckpoint(id: String) throws {
        try write("delete the checkpoint", id: id) { db in
            _ = try CheckpointRow.deleteOne(db, key: id)
            try Self.reclaimFreePages(db)
        }
    }

    /// Truncates the free pages left by deleted rows from the database file (the store uses incremental
    /// auto-vacuum); without it the file keeps its largest size.
    static func reclaimFreePages(_ db: Database) throws {
        try db.execute(sql: "PRAGMA incremental_vacuum")
    }
}
