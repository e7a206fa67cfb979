import GRDB

/// A row of the `event` table: one ``StoredEvent`` of one experiment.
struct EventRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event"

    var experimentId: String
    var sequence: Int64
    var time: Double
    var kind: String
    var line: String

    var stored: StoredEvent { StoredEvent(sequence: sequence, time: time, kind: kind, line: line) }
}
