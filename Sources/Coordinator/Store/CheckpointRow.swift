import Core
import Foundation
import GRDB

/// A row of the `checkpoint` table: an experiment's one ``Checkpoint``, with float arrays as ``FloatBlob``s.
struct CheckpointRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "checkpoint"

    var experimentId: String
    var epoch: Int
    var step: Int
    var weights: Data
    var adamM: Data
    var adamV: Data
    var adamStep: Int
    var epochLossSum: Double
    var epochCorrect: Int
    var epochCount: Int
    var embeddingsBefore: Data
    var createdAt: Double

    init(experimentId: String, _ checkpoint: Checkpoint) {
        self.experimentId = experimentId
        self.epoch = checkpoint.epoch
        self.step = checkpoint.step
        self.weights = FloatBlob.data(checkpoint.weights)
        self.adamM = FloatBlob.data(checkpoint.adamM)
        self.adamV = FloatBlob.data(checkpoint.adamV)
        self.adamStep = checkpoint.adamStep
        self.epochLossSum = checkpoint.epochLossSum
        self.epochCorrect = checkpoint.epochCorrect
        self.epochCount = checkpoint.epochCount
        self.embeddingsBefore = FloatBlob.data(checkpoint.embeddingsBefore)
        self.createdAt = checkpoint.createdAt
    }

    /// The checkpoint this row holds.
    /// - Throws: ``StoreProblem`` when a BLOB is damaged.
    func checkpoint() throws -> Checkpoint {
        Checkpoint(
            epoch: epoch, step: step,
            weights: try FloatBlob.floats(weights, column: "weights"),
            adamM: try FloatBlob.floats(adamM, column: "adamM"),
            adamV: try FloatBlob.floats(adamV, column: "adamV"),
            adamStep: adamStep, epochLossSum: epochLossSum, epochCorrect: epochCorrect, epochCount: epochCount,
            embeddingsBefore: try FloatBlob.floats(embeddingsBefore, column: "embeddingsBefore"),
            createdAt: createdAt)
    }
}
