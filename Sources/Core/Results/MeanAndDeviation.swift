import Foundation

/// The mean and the sample standard deviation of a set of values, over the finite ones.
public struct MeanAndDeviation: Codable, Sendable, Equatable {
    /// How many finite values the statistics cover.
    public var count: Int
    public var mean: Double
    /// The sample standard deviation, √(Σ(x − mean)² / (count − 1)); absent for fewer than two values, where
    /// it is undefined.
    public var sd: Double?

    public init(count: Int, mean: Double, sd: Double?) {
        self.count = count
        self.mean = mean
        self.sd = sd
    }

    /// The statistics of the finite `values`, or nil when there are none. Non-finite values (a failed loss
    /// evaluation) are left out rather than turning the mean into NaN.
    public init?(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let mean = finite.reduce(0, +) / Double(finite.count)
        var sd: Double?
        if finite.count > 1 {
            let squares = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            sd = (squares / Double(finite.count - 1)).squareRoot()
        }
        self.init(count: finite.count, mean: mean, sd: sd)
    }

    /// `0.1234 ± 0.0056`, or just the mean when the deviation is undefined.
    public func text(decimals: Int = 4) -> String {
        let mean = String(format: "%.\(decimals)f", self.mean)
        guard let sd else { return mean }
        return mean + " ± " + String(format: "%.\(decimals)f", sd)
    }
}

/// The statistics of a loss before and after training, over several runs or draws.
public struct LossPairStatistics: Codable, Sendable, Equatable {
    public var before: MeanAndDeviation?
    public var after: MeanAndDeviation?

    public init(_ pairs: [LossPair]) {
        before = MeanAndDeviation(pairs.map(\.before))
        after = MeanAndDeviation(pairs.map(\.after))
    }
}

/// The statistics of the exercise's four values, shaped like ``EmbeddingLossReport``.
public struct EmbeddingLossStatistics: Codable, Sendable, Equatable {
    public var contrastive: LossPairStatistics
    public var triplet: LossPairStatistics

    public init(_ reports: [EmbeddingLossReport]) {
        contrastive = LossPairStatistics(reports.map(\.contrastive))
        triplet = LossPairStatistics(reports.map(\.triplet))
    }
}
