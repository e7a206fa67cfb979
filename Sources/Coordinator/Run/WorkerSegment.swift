import Core
import Wire

/// The coordinator's side of one worker's shared-memory segment for the running experiment: whether the worker
/// attached it, where it reads the weights (the run's shared weights, or a copy in this segment), and which
/// gradient slots the step in progress has handed out.
///
/// Slots are never reused within a step, so a result's gradients stay in place until the step completes even when
/// the worker is given a second run of the same step (after another worker was lost). A run that needs more slots
/// than are left travels in messages instead.
public struct WorkerSegment {
    public let segment: SharedSegment
    /// Whether the worker answered the setup saying it mapped the segment.
    public private(set) var attached = false
    /// Whether the worker said it posts results in the result mailbox when asked.
    public private(set) var repliesInMailbox = false
    /// Whether the worker reads the run's shared weights, so this segment needs no copy of them.
    public private(set) var readsSharedWeights = false
    /// Whether the outstanding assignment asked for its result in the result mailbox, not yet read.
    public private(set) var awaitsPostedResult = false
    /// The result posts read so far.
    private(set) var resultsSeen: UInt32 = 0
    /// The step whose weights the segment holds (the version alone repeats when a stage starts a fresh Adam).
    private var step: StepKey?
    private var nextSlot = 0
    /// The first slot of the worker's outstanding assignment; nil when it went in messages.
    public private(set) var assignedFirstSlot: Int?

    /// The most bytes one worker's segment may take (its weights and slots); a bigger model gets fewer slots.
    public static let byteBudget = 256 << 20

    public init(segment: SharedSegment) {
        self.segment = segment
    }

    /// Slots for the fewest subtrees any run of a step can need (`2 × height` of its chunk tree, at least one),
    /// within ``byteBudget``; nil when not even one slot fits.
    public static func slotCount(parameterCount: Int, chunkCount: Int) -> Int? {
        let wanted = max(1, 2 * ChunkTree(chunkCount: chunkCount).height)
        var slots = wanted
        while slots > 0 && SharedSegment.byteCount(parameterCount: parameterCount, slotCount: slots) > byteBudget {
            slots -= 1
        }
        return slots > 0 ? slots : nil
    }

    /// The worker mapped the segment: its name can go.
    public mutating func markAttached(repliesInMailbox: Bool, readsSharedWeights: Bool) {
        attached = true
        self.repliesInMailbox = repliesInMailbox
        self.readsSharedWeights = readsSharedWeights
        segment.unlink()
    }

    /// Whether the worker had an assignment of step `key` through the segment.
    public func wasAssigned(_ key: StepKey) -> Bool {
        attached && step == key
    }

    /// The assignment just posted asks for its result in the result mailbox.
    public mutating func expectPostedResult() {
        awaitsPostedResult = true
    }

    /// The bytes of the result the worker posted since the last call, if it posted one.
    public mutating func takePostedResult() -> [UInt8]? {
        guard let post = segment.nextPost(after: resultsSeen, in: .results, timeout: .zero) else { return nil }
        resultsSeen = post.count
        awaitsPostedResult = false
        return post.bytes
    }

    /// Prepares an assignment of `subtrees` subtrees at `key`: copies the step's `weights` into the segment when
    /// it is the first of the step and the worker does not read the shared weights, and reserves the slots.
    /// Returns the first slot, or nil when the run must go in messages.
    public mutating func assign(_ key: StepKey, weights: [Float], subtrees: Int) -> UInt32? {
        assignedFirstSlot = nil
        guard attached else { return nil }
        if step != key {
            if !readsSharedWeights { segment.writeWeights(weights) }
            step = key
            nextSlot = 0
        }
        guard nextSlot + subtrees <= segment.slotCount else { return nil }
        let first = nextSlot
        assignedFirstSlot = first
        nextSlot += subtrees
        return UInt32(first)
    }
}
