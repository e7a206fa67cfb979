import Core
import Foundation
import Wire

/// This worker's membership of one sharded group (Docs/ShardedReduction.md): its replica of the weights, the
/// optimizer of the shard it owns, and the exchange of the step in progress.
///
/// A step: the worker computes its run's subtree sums with the replica one layer at a time, and sends each other
/// member that member's shard of them (``GradientSlices``) in pieces, as the backward pass completes them, so the
/// slices travel while the layers below are computed; it then completes its own shard's chunk tree from every
/// member's slices, steps Adam for its shard, sends the new shard to every member (``WeightShard``) and, once it
/// holds every shard, has the next weights and answers the coordinator. Nothing here waits: messages are taken as
/// they come, and the step finishes when the last one needed arrives.
final class ShardedReplica {
    let experimentId: String
    let group: UInt64
    let rank: Int
    let plan: ShardPlan
    let peers: [String]
    /// With CURVE, the members' peer keys by rank (every message from a member must come over its key); empty
    /// without.
    let peerKeys: [String]
    private let stages: TrainingStages
    private let schedule: TrainingSchedule
    /// The full weights, of ``version``.
    private(set) var weights: [Float]
    /// The weights of ``version`` − 1, for an audit of the last step (and, while a step is exchanged, the buffer
    /// its new weights are assembled in: the two swap when it finishes).
    private var previousWeights: [Float]
    private var previousVersion: UInt64?
    /// Adam's step count the weights are the result of.
    private(set) var version: UInt64
    private var optimizer: ShardOptimizer
    private var inFlight: StepExchange?
    /// This worker's subtree sums of the step in progress, one buffer per subtree, from its compute until the next.
    private let sums: ParameterBuffers
    private let scratch = ScratchBuffers()

    /// A piece of slices is sent once at least this share of the receiver's shard, and ``minimumPiece`` values,
    /// are complete and unsent, or the rest of the shard is: fewer, larger messages than one per layer, as DDP's
    /// buckets.
    static let piecesPerShard = 8
    /// The fewest values in a piece that does not end its shard: 128 KiB, 1 ms on a 1 Gbit/s link. Each message
    /// costs a hand-over to ZeroMQ's I/O thread and a wake-up at each end, and a run computed layer by layer costs
    /// more than one computed chunk by chunk, so small pieces cost more than they hide (Docs/Performance.md,
    /// "Sending while the backward pass goes on").
    static let minimumPiece = 32_768

    /// Whether this member's slices go in pieces during the backward pass: when some other member's shard holds
    /// at least two pieces. Otherwise each member gets its slices in one message, after a run computed chunk by
    /// chunk, which costs less than one computed layer by layer.
    var sendsInPieces: Bool {
        (0..<size).contains(where: { $0 != rank && plan.range(of: $0).count >= 2 * Self.minimumPiece })
    }

    /// The step in progress: this worker's result so far, its own subtrees (their sums in ``sums``), and what the
    /// others sent.
    private struct StepExchange {
        let assignment: WorkAssignment
        var result: WorkResult
        let own: [ChunkTree.Node]
        let computedAt: UInt64
        /// XXH64 of each of this worker's own subtree sums.
        let digests: [UInt64]
        let gradientFinite: Bool
        var slices: [Int: SliceAssembly] = [:]
        var shards: Set<Int> = []
        var stepped = false
        var weightsFinite = true

        /// Whether every other member's slices are complete.
        func hasEverySlice(of size: Int) -> Bool {
            slices.count == size - 1 && slices.values.allSatisfy(\.isComplete)
        }
    }

    /// Joins a group with its first step's assignment: the weights inline, the peers, the shard's Adam state.
    /// - Throws: ``WireError`` `.badRequest` when the assignment does not describe a group this model fits.
    init(
        _ a: WorkAssignment, step: ShardedStep, spec: ExperimentSpec, stages: TrainingStages,
        schedule: TrainingSchedule, parameterCount: Int
    ) throws(WireError) {
        let size = Int(step.size)
        guard size >= 2, step.peers.count == size, Int(step.rank) < size else {
            throw WireError(.badRequest, "sharded step of rank \(step.rank) names \(step.peers.count) peers for "
                + "\(step.size) members")
        }
        guard parameterCount >= 16 * size else {
            throw WireError(.badRequest, "\(parameterCount) parameters cannot be cut into \(size) shards")
        }
        let plan = ShardPlan(parameterCount: parameterCount, shardCount: size)
        let range = plan.range(of: Int(step.rank))
        guard let weights = a.weights?.values, weights.count == parameterCount else {
            throw WireError(.badRequest, "a sharded group's first step carries no weights for \(parameterCount) "
                + "parameters")
        }
        guard let state = step.state, state.m.values.count == range.count, state.v.values.count == range.count else {
            throw WireError(.badRequest, "a sharded group's first step carries no Adam state for shard \(step.rank) "
                + "(\(range.count) parameters)")
        }
        var adam = Adam(parameterCount: 0, training: spec.training)
        adam.learningRate = state.learningRate
        adam.m = state.m.values
        adam.v = state.v.values
        adam.step = Int(clamping: state.adamStep)
        self.experimentId = a.experimentId
        self.group = step.group
        self.rank = Int(step.rank)
        self.plan = plan
        self.peers = step.peers
        self.peerKeys = step.peerKeys
        self.stages = stages
        self.schedule = schedule
        self.weights = weights
        self.previousWeights = weights
        self.version = a.weightsVersion
        self.optimizer = ShardOptimizer(range: range, weights: Array(weights[range]), adam: adam)
        self.sums = ParameterBuffers(length: parameterCount)
    }

    private var size: Int { plan.shardCount }
    private var ownRange: Range<Int> { optimizer.range }

    /// Whether `a` is a step of this group from the weights this replica holds.
    func continues(_ a: WorkAssignment) -> Bool {
        a.experimentId == experimentId && a.sharded?.group == group && a.sharded.map { Int($0.rank) } == rank
            && a.weightsVersion == version
    }

    /// Computes step `a` with `session` and starts its exchange: sends every other member its slices, piece by
    /// piece as the backward pass completes them (when ``sendsInPieces``). Returns the finished result when
    /// nothing more is needed (never, with peers).
    func step(_ a: WorkAssignment, session: WorkerSession, links: PeerLinks) throws -> WorkResult? {
        inFlight = nil
        // The new weights are assembled in the other buffer; these stay for an audit of this step.
        previousVersion = nil
        var sentFrom = (0..<size).map { plan.range(of: $0).upperBound }
        let (result, nodes) = try session.computeSharded(
            a, weights: weights, into: sums, byLayer: sendsInPieces
        ) { nodes, range in
            try sendPieces(finalFrom: range.lowerBound, of: nodes, sentFrom: &sentFrom, links: links)
        }
        if nodes.isEmpty {
            for member in 0..<size where member != rank { try send(piece: 0..<0, of: [], to: member, links: links) }
        }
        let count = plan.parameterCount
        let buffers = nodes.indices.map(sums.buffer)
        inFlight = StepExchange(
            assignment: a, result: result, own: nodes, computedAt: DispatchTime.now().uptimeNanoseconds,
            digests: buffers.map { WeightsDigest.of($0, count: count) },
            gradientFinite: buffers.allSatisfy { TrainingDiverged.allFinite($0, count: count) })
        return try advance(links: links)
    }

    /// Sends each other member the part of its shard of this worker's sums that is complete now (the parameters
    /// from `finalFrom` up) and not yet sent, once it is a large enough piece or completes the shard.
    private func sendPieces(
        finalFrom: Int, of nodes: [ChunkTree.Node], sentFrom: inout [Int], links: PeerLinks
    ) throws {
        for member in 0..<size where member != rank {
            let shard = plan.range(of: member)
            let from = max(finalFrom, shard.lowerBound)
            guard from < sentFrom[member] else { continue }
            let piece = from..<sentFrom[member]
            guard from == shard.lowerBound
                || piece.count * Self.piecesPerShard >= shard.count && piece.count >= Self.minimumPiece
            else { continue }
            try send(piece: piece, of: nodes, to: member, links: links)
            sentFrom[member] = from
        }
    }

    /// Sends `member` positions `piece` (of the parameters) of this worker's subtree sums.
    private func send(piece: Range<Int>, of nodes: [ChunkTree.Node], to member: Int, links: PeerLinks) throws {
        let subtrees = nodes.enumerated().map { k, node in
            Subtree(level: UInt32(node.level), index: UInt32(node.index), gradient: Tensor(Array(
                UnsafeBufferPointer(start: sums.buffer(k) + piece.lowerBound, count: piece.count))))
        }
        try links.send(.gradientSlices(GradientSlices(
            experimentId: experimentId, group: group, weightsVersion: version, senderRank: UInt32(rank),
            subtrees: subtrees, offset: UInt32(piece.isEmpty ? 0 : piece.lowerBound - plan.range(of: member).lowerBound))),
            to: peers[member])
    }

    /// Whether a peer's message belongs to the step in progress (else the caller may keep it for a later step).
    func isForStepInProgress(group: UInt64, version: UInt64, experimentId: String) -> Bool {
        inFlight != nil && group == self.group && version == self.version && experimentId == self.experimentId
    }

    /// Takes a piece of a member's slices of the step in progress. Returns the finished result when this was the
    /// last message needed.
    /// - Throws: ``WireError`` `.badRequest` for a piece that cannot be this step's (the message is dropped).
    func receive(_ s: GradientSlices, links: PeerLinks) throws -> WorkResult? {
        guard let stepNumber = inFlight?.assignment.step else { return nil }
        let sender = Int(s.senderRank)
        guard sender < size, sender != rank else {
            throw WireError(.badRequest, "slices from rank \(s.senderRank) of a group of \(size) (this is rank \(rank))")
        }
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: Int(stepNumber)))
        // In place: with a copy of the step held, taking a piece would copy the assembly's values.
        if inFlight!.slices[sender] != nil {
            try inFlight!.slices[sender]!.take(s, tree: tree)
        } else {
            inFlight!.slices[sender] = try SliceAssembly(first: s, tree: tree, shardLength: ownRange.count)
        }
        return try advance(links: links)
    }

    /// Takes an owner's shard of the new weights. Returns the finished result when this was the last message needed.
    func receive(_ shard: WeightShard, links: PeerLinks) throws -> WorkResult? {
        guard var step = inFlight else { return nil }
        let owner = Int(shard.rank)
        guard owner < size, owner != rank, !step.shards.contains(owner),
            shard.weights.values.count == plan.range(of: owner).count
        else {
            throw WireError(.badRequest, "a weight shard from rank \(shard.rank) of a group of \(size) with "
                + "\(shard.weights.values.count) values, or sent twice")
        }
        let range = plan.range(of: owner)
        previousWeights.withUnsafeMutableBufferPointer { w in
            shard.weights.values.withUnsafeBufferPointer { w.baseAddress!.advanced(by: range.lowerBound)
                .update(from: $0.baseAddress!, count: range.count) }
        }
        step.shards.insert(owner)
        inFlight = step
        return try advance(links: links)
    }

    /// Steps the own shard once every slice is in, and finishes once every shard is in.
    private func advance(links: PeerLinks) throws -> WorkResult? {
        guard var step = inFlight else { return nil }
        if !step.stepped {
            guard step.hasEverySlice(of: size) else { return nil }
            try stepOwnShard(&step)
            inFlight = step
            let shard = WeightShard(
                experimentId: experimentId, group: group, weightsVersion: version, rank: UInt32(rank),
                weights: Tensor(optimizer.weights))
            for member in 0..<size where member != rank { try links.send(.weightShard(shard), to: peers[member]) }
        }
        guard step.shards.count == size - 1 else { return nil }
        inFlight = nil
        swap(&weights, &previousWeights)
        previousVersion = version
        version += 1
        var result = step.result
        result.subtrees = []
        let a = step.assignment
        let finite = step.gradientFinite && result.lossSum.isFinite
        result.sharded = ShardReport(
            group: group, chunkBegin: a.chunkBegin, chunkEnd: a.chunkEnd, gradientFinite: finite,
            weightsFinite: step.weightsFinite,
            state: a.sharded?.returnState == true ? ShardState(
                weights: Tensor(optimizer.weights), m: Tensor(optimizer.adam.m), v: Tensor(optimizer.adam.v),
                adamStep: UInt64(optimizer.adam.step), learningRate: optimizer.adam.learningRate) : nil,
            exchangeSeconds: Double(DispatchTime.now().uptimeNanoseconds - step.computedAt) / 1e9,
            subtreeDigests: step.digests)
        return result
    }

    /// The weights an audit of version `version` computes with: those the last step started from.
    func weights(forAuditOf version: UInt64) -> [Float]? {
        previousVersion == version ? previousWeights : nil
    }

    /// An audit's answer: the computed result's statistics and the digests of its subtree sums, no sums.
    func auditResult(_ a: WorkAssignment, computed: WorkResult) -> WorkResult {
        var result = computed
        let digests = computed.subtrees.map { subtree -> UInt64 in
            guard case .inline(let tensor) = subtree.gradient else { return 0 }
            return WeightsDigest.of(tensor.values)
        }
        result.subtrees = []
        result.sharded = ShardReport(
            group: group, chunkBegin: a.chunkBegin, chunkEnd: a.chunkEnd,
            gradientFinite: computed.lossSum.isFinite, weightsFinite: true, exchangeSeconds: 0,
            subtreeDigests: digests)
        return result
    }

    /// Completes the own shard's chunk tree from this worker's sums and the others' slices, and steps Adam on it.
    /// - Throws: ``WireError`` `.badRequest` when the subtrees of all members are not one cover of the step's chunks.
    private func stepOwnShard(_ step: inout StepExchange) throws(WireError) {
        let a = step.assignment
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: Int(a.step)))
        // Each node's values: this worker's sum (its shard's part) or a member's slice.
        enum Source {
            case own(Int)
            case received([Float])
        }
        var sources: [ChunkTree.Node: Source] = [:]
        for (k, node) in step.own.enumerated() { sources[node] = .own(k) }
        for assembly in step.slices.values {
            for (node, values) in zip(assembly.nodes, assembly.values) { sources[node] = .received(values) }
        }
        let covered = sources.keys.map(tree.chunks(of:)).sorted { $0.lowerBound < $1.lowerBound }
        var next = 0
        for run in covered {
            guard run.lowerBound == next else {
                throw WireError(.badRequest, "the members' subtrees do not cover the step's \(tree.chunkCount) chunks "
                    + "once each (at chunk \(next))")
            }
            next = run.upperBound
        }
        guard next == tree.chunkCount, covered.count == step.own.count + step.slices.values.map(\.nodes.count).reduce(0, +)
        else {
            throw WireError(.badRequest, "the members' subtrees cover \(next) of the step's \(tree.chunkCount) chunks, "
                + "or one twice")
        }
        let shardStart = ownRange.lowerBound
        step.weightsFinite = optimizer.step(
            epoch: Int(a.epoch), step: Int(a.step), tree: tree, stages: stages, schedule: schedule, scratch: scratch
        ) { node, body in
            switch sources[node] {
            case .own(let k): body(sums.buffer(k) + shardStart)
            case .received(let values): values.withUnsafeBufferPointer { body($0.baseAddress!) }
            case nil: return false
            }
            return true
        }
        step.stepped = true
        let range = ownRange
        previousWeights.withUnsafeMutableBufferPointer { w in
            optimizer.weights.withUnsafeBufferPointer {
                w.baseAddress!.advanced(by: range.lowerBound).update(from: $0.baseAddress!, count: range.count)
            }
        }
    }
}
