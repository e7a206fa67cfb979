/// Coordinator → worker: the experiment the next assignments belong to.
public struct ExperimentSetup: Hashable, Sendable {
    /// The experiment's id.
    public var experimentId: String
    /// The experiment spec as JSON (Docs/Platform.md, "The experiment spec"; overrides applied).
    public var specJSON: String
    /// A shared-memory segment for this worker's weights and gradients, if the coordinator offers one.
    public var sharedSegment: SharedSegmentOffer?
    /// The experiment's weights in one segment every local worker maps read-only (no slots), if the coordinator
    /// offers it; a worker that maps it reads its weights there instead of from ``sharedSegment``.
    public var sharedWeights: SharedSegmentOffer?

    /// Creates a setup message.
    public init(
        experimentId: String, specJSON: String, sharedSegment: SharedSegmentOffer? = nil,
        sharedWeights: SharedSegmentOffer? = nil
    ) {
        self.experimentId = experimentId
        self.specJSON = specJSON
        self.sharedSegment = sharedSegment
        self.sharedWeights = sharedWeights
    }
}

/// A POSIX shared-memory segment a worker on the coordinator's host can map (``SharedSegment``).
public struct SharedSegmentOffer: Hashable, Sendable {
    /// The segment's name under `/dev/shm`.
    public var name: String
    /// The 16 random bytes the segment's header holds.
    public var nonce: [UInt8]
    /// How many gradient slots follow the weights (none in the shared weights).
    public var slotCount: UInt32

    /// Creates an offer.
    public init(name: String, nonce: [UInt8], slotCount: UInt32) {
        self.name = name
        self.nonce = nonce
        self.slotCount = slotCount
    }
}

/// Worker → coordinator: the setup was applied, or why not.
public struct SetupAck: Hashable, Sendable {
    /// The experiment the acknowledgement is for.
    public var experimentId: String
    /// Why the worker refused the setup; nil when it accepted it.
    public var error: WireError?
    /// Whether the worker mapped the offered shared segment (then assignments may use it).
    public var sharedSegmentAttached: Bool
    /// Whether the worker posts its result in the segment's result mailbox when an assignment asks it to
    /// (``WorkAssignment/replyInMailbox``); a worker that predates the result mailbox leaves it false.
    public var repliesInMailbox: Bool
    /// Whether the worker mapped the offered shared weights and reads its weights there: the coordinator then
    /// stops copying them into its segment. Only with ``sharedSegmentAttached``.
    public var sharedWeightsAttached: Bool

    /// Creates an acknowledgement; pass an error to refuse.
    public init(
        experimentId: String, error: WireError? = nil, sharedSegmentAttached: Bool = false,
        repliesInMailbox: Bool = false, sharedWeightsAttached: Bool = false
    ) {
        self.experimentId = experimentId
        self.error = error
        self.sharedSegmentAttached = sharedSegmentAttached
        self.repliesInMailbox = repliesInMailbox
        self.sharedWeightsAttached = sharedWeightsAttached
    }
}

/// Coordinator → worker: compute the gradient sums of chunks `chunkBegin..<chunkEnd` of one step.
public struct WorkAssignment: Hashable, Sendable {
    /// The experiment the work belongs to.
    public var experimentId: String
    /// The epoch, from 0.
    public var epoch: UInt32
    /// The step within the epoch, from 0.
    public var step: UInt32
    /// The version of the weights to compute with.
    public var weightsVersion: UInt64
    /// The first chunk to compute.
    public var chunkBegin: UInt32
    /// One past the last chunk to compute.
    public var chunkEnd: UInt32
    /// The weights inline; nil when they are in the worker's shared segment (``firstSharedSlot`` is set).
    public var weights: Tensor?
    /// When set, the weights are in the worker's shared segment and the gradient of the `k`-th subtree goes to
    /// slot `firstSharedSlot + k` of it instead of into the result.
    public var firstSharedSlot: UInt32?
    /// With ``firstSharedSlot``: post the result in the segment's result mailbox instead of sending it.
    public var replyInMailbox: Bool
    /// Whether the result must carry the digest of the weights computed with (``WorkResult/weightsDigest``).
    public var sendWeightsDigest: Bool
    /// Set for a step of the sharded reduction: the worker's part in it.
    public var sharded: ShardedStep?

    /// Creates an assignment.
    public init(
        experimentId: String, epoch: UInt32, step: UInt32, weightsVersion: UInt64, chunkBegin: UInt32,
        chunkEnd: UInt32, weights: Tensor? = nil, firstSharedSlot: UInt32? = nil, replyInMailbox: Bool = false,
        sendWeightsDigest: Bool = false, sharded: ShardedStep? = nil
    ) {
        self.experimentId = experimentId
        self.epoch = epoch
        self.step = step
        self.weightsVersion = weightsVersion
        self.chunkBegin = chunkBegin
        self.chunkEnd = chunkEnd
        self.weights = weights
        self.firstSharedSlot = firstSharedSlot
        self.replyInMailbox = replyInMailbox
        self.sendWeightsDigest = sendWeightsDigest
        self.sharded = sharded
    }
}

/// One node of a step's pairwise gradient tree: level 0 is one chunk, level `k` covers `2^k` chunks.
public struct Subtree: Hashable, Sendable {
    /// The node's height in the tree.
    public var level: UInt32
    /// The node's position within its level.
    public var index: UInt32
    /// The gradient sum over the node's chunks, in canonical parameter order, or where to find it.
    public var gradient: SubtreeGradient

    /// Creates a subtree result.
    public init(level: UInt32, index: UInt32, gradient: SubtreeGradient) {
        self.level = level
        self.index = index
        self.gradient = gradient
    }

    /// Creates a subtree result that carries its gradient.
    public init(level: UInt32, index: UInt32, gradient: Tensor) {
        self.init(level: level, index: index, gradient: .inline(gradient))
    }
}

/// Where a subtree's gradient is.
public enum SubtreeGradient: Hashable, Sendable {
    /// In the message.
    case inline(Tensor)
    /// In this slot of the worker's shared segment.
    case sharedSlot(UInt32)
}

/// Worker → coordinator: the whole aligned subtrees one assignment covers, and its statistics.
public struct WorkResult: Hashable, Sendable {
    /// The experiment the work belongs to.
    public var experimentId: String
    /// The assignment's epoch.
    public var epoch: UInt32
    /// The assignment's step.
    public var step: UInt32
    /// The weights version the gradients were computed with.
    public var weightsVersion: UInt64
    /// The gradient sums, one per aligned subtree.
    public var subtrees: [Subtree]
    /// The sum of the per-sample losses.
    public var lossSum: Double
    /// How many samples were classified correctly.
    public var correctCount: UInt32
    /// How many samples the result covers.
    public var sampleCount: UInt32
    /// The worker's compute time for the assignment.
    public var computeSeconds: Double
    /// XXH64 of the weights the gradients were computed with, read after computing them; nil unless the
    /// assignment asked for it.
    public var weightsDigest: UInt64?
    /// Set for a step of the sharded reduction (``subtrees`` is then empty: the sums went to the shards' owners).
    public var sharded: ShardReport?

    /// Creates a work result.
    public init(
        experimentId: String, epoch: UInt32, step: UInt32, weightsVersion: UInt64, subtrees: [Subtree],
        lossSum: Double, correctCount: UInt32, sampleCount: UInt32, computeSeconds: Double,
        weightsDigest: UInt64? = nil, sharded: ShardReport? = nil
    ) {
        self.experimentId = experimentId
        self.epoch = epoch
        self.step = step
        self.weightsVersion = weightsVersion
        self.subtrees = subtrees
        self.lossSum = lossSum
        self.correctCount = correctCount
        self.sampleCount = sampleCount
        self.computeSeconds = computeSeconds
        self.weightsDigest = weightsDigest
        self.sharded = sharded
    }
}
