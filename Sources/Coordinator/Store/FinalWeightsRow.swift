import Foundation
import GRDB

/// A row of the `finalWeights` table: the trained parameters of a finished experiment.
struct FinalWeightsRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "finalWeights"

    var experimentId: String
    /// Little-endian float32, see ``FloatBlob``.
    var weights: Data
}
