/// The statistics of one finished epoch of an experiment.
public struct StoredEpoch: Codable, Sendable, Equatable {
    /// 0-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch.
    public var loss: Double
    /// Training accuracy over the epoch, in [0, 1].
    public var accuracy: Double
    /// Wall-clock duration of the epoch.
    public var seconds: Double

    /// Creates the statistics of epoch `epoch`.
    public init(epoch: Int, loss: Double, accuracy: Double, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.seconds = seconds
    }
}
