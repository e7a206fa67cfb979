import Core
import GRDB

/// A row of the `epoch` table: one ``EpochMetrics`` of one experiment.
struct EpochRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "epoch"

    var experimentId: String
    var epoch: Int
    var loss: Double
    var accuracy: Double
    var seconds: Double

    init(experimentId: String, _ epoch: EpochMetrics) {
        self.experimentId = experimentId
        self.epoch = epoch.epoch
        self.loss = epoch.loss
        self.accuracy = epoch.accuracy
        self.seconds = epoch.seconds
    }

    var stored: EpochMetrics { EpochMetrics(epoch: epoch, loss: loss, accuracy: accuracy, seconds: seconds) }
}
