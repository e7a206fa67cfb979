/// One member's part in a step of the sharded reduction (Docs/ShardedReduction.md), in a ``WorkAssignment``.
public struct ShardedStep: Hashable, Sendable {
    /// Names the group; a group formed again (a member lost or joining, a coordinator restarted) has another.
    public var group: UInt64
    /// This member's rank: it owns shard `rank` of the parameters.
    public var rank: UInt32
    /// The number of members, and of shards.
    public var size: UInt32
    /// In a group's first step only: every member's peer endpoint, by rank.
    public var peers: [String]
    /// With CURVE, in a group's first step: every member's peer public key (Z85), by rank; empty without CURVE.
    public var peerKeys: [String]
    /// In a group's first step only: this member's shard of Adam's state.
    public var state: ShardState?
    /// Send the shard's new weights and Adam's moments back in the result.
    public var returnState: Bool
    /// An audit: compute the run again with the weights the step started from and report the digests of its
    /// subtree sums (``ShardReport/subtreeDigests``), exchanging nothing.
    public var audit: Bool

    public init(
        group: UInt64, rank: UInt32, size: UInt32, peers: [String] = [], peerKeys: [String] = [],
        state: ShardState? = nil, returnState: Bool = false, audit: Bool = false
    ) {
        self.group = group
        self.rank = rank
        self.size = size
        self.peers = peers
        self.peerKeys = peerKeys
        self.state = state
        self.returnState = returnState
        self.audit = audit
    }
}

/// A shard of the optimizer's state: Adam's moments, its step count and learning rate, and (in a result) the
/// shard's new weights.
public struct ShardState: Hashable, Sendable {
    public var weights: Tensor?
    public var m: Tensor
    public var v: Tensor
    public var adamStep: UInt64
    public var learningRate: Float

    public init(weights: Tensor? = nil, m: Tensor, v: Tensor, adamStep: UInt64, learningRate: Float) {
        self.weights = weights
        self.m = m
        self.v = v
        self.adamStep = adamStep
        self.learningRate = learningRate
    }
}

/// Worker → worker: the sender's subtree sums of one step, cut to the receiver's shard.
public struct GradientSlices: Hashable, Sendable {
    public var experimentId: String
    public var group: UInt64
    /// The version of the weights the sums were computed with.
    public var weightsVersion: UInt64
    public var senderRank: UInt32
    /// Each gradient is a piece of the receiver's shard of the subtree's sum (always inline): the values at
    /// positions `offset ..< offset + count` of the shard, the same positions for every subtree. A sender sends its
    /// pieces as its backward pass completes them, top layer first; no subtrees means it has no chunks this step.
    public var subtrees: [Subtree]
    public var offset: UInt32

    public init(
        experimentId: String, group: UInt64, weightsVersion: UInt64, senderRank: UInt32, subtrees: [Subtree],
        offset: UInt32 = 0
    ) {
        self.experimentId = experimentId
        self.group = group
        self.weightsVersion = weightsVersion
        self.senderRank = senderRank
        self.subtrees = subtrees
        self.offset = offset
    }
}

/// Worker → worker: the owner's shard of the new weights, after its Adam step from `weightsVersion`.
public struct WeightShard: Hashable, Sendable {
    public var experimentId: String
    public var group: UInt64
    public var weightsVersion: UInt64
    public var rank: UInt32
    public var weights: Tensor

    public init(experimentId: String, group: UInt64, weightsVersion: UInt64, rank: UInt32, weights: Tensor) {
        self.experimentId = experimentId
        self.group = group
        self.weightsVersion = weightsVersion
        self.rank = rank
        self.weights = weights
    }
}

/// What a member of a sharded group reports in its ``WorkResult`` (which then carries no subtrees).
public struct ShardReport: Hashable, Sendable {
    public var group: UInt64
    /// The chunks the member computed.
    public var chunkBegin: UInt32
    public var chunkEnd: UInt32
    /// Every value of the member's own subtree sums, and its loss, is finite.
    public var gradientFinite: Bool
    /// The member's new weight shard is finite.
    public var weightsFinite: Bool
    /// The shard's new weights and Adam's state, when the assignment asked for them.
    public var state: ShardState?
    /// From the end of computing to holding every shard of the new weights.
    public var exchangeSeconds: Double
    /// XXH64 of each of the member's subtree sums, left to right: what an audit compares.
    public var subtreeDigests: [UInt64]

    public init(
        group: UInt64, chunkBegin: UInt32, chunkEnd: UInt32, gradientFinite: Bool, weightsFinite: Bool,
        state: ShardState? = nil, exchangeSeconds: Double, subtreeDigests: [UInt64] = []
    ) {
        self.group = group
        self.chunkBegin = chunkBegin
        self.chunkEnd = chunkEnd
        self.gradientFinite = gradientFinite
        self.weightsFinite = weightsFinite
        self.state = state
        self.exchangeSeconds = exchangeSeconds
        self.subtreeDigests = subtreeDigests
    }
}
