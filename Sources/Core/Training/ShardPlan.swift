/// How the sharded reduction cuts the parameters among a group's members (Docs/ShardedReduction.md): `shardCount`
/// contiguous ranges in rank order, each starting on a multiple of 16 floats (a 64-byte cache line) so that no two
/// owners write one line. Every process derives the same cut from the two counts alone.
public struct ShardPlan: Sendable, Equatable {
    public let parameterCount: Int
    public let shardCount: Int

    /// Floats per alignment unit of a shard's start.
    static let alignment = 16

    public init(parameterCount: Int, shardCount: Int) {
        precondition(parameterCount >= 0 && shardCount >= 1)
        self.parameterCount = parameterCount
        self.shardCount = shardCount
    }

    /// The parameters shard `rank` owns (empty when there are fewer alignment units than shards).
    public func range(of rank: Int) -> Range<Int> {
        precondition(rank >= 0 && rank < shardCount)
        return start(of: rank)..<start(of: rank + 1)
    }

    private func start(of rank: Int) -> Int {
        guard rank < shardCount else { return parameterCount }
        let even = rank * parameterCount / shardCount
        return even / Self.alignment * Self.alignment
    }
}
