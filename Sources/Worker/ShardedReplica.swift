import Core
import Foundation
import Wire

/// This worker's membership of one sharded group (Docs/ShardedReduction.md): its replica of the weights, the
/// optimizer of the shard it owns, and the exchange of the step in progress.
///
/// A step: the worker computes its run's subtree sums with the replica, sends each other member that member's
/// shard of them (``GradientSlices``), completes its own shard's chunk tree from every member's slices, steps Adam
/// for its shard, sends the new shard to every member (``WeightShard``) and, once it holds every shard, has the
/// next weights and answers the coordinator. Nothing here waits: messages are taken as they come, and the step
/// finishes when the last one needed arrives.
final class ShardedReplica {
    let experimentId: String
    let group: UInt64
    let rank: Int
    let plan: ShardPlan
    let peers: [String]
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
    private let scratch = ScratchBuffers()

    /// The step in progress: this worker's result so far, its own subtree sums, and what the others sent.
    private struct StepExchange {
        let assignment: WorkAssignment
        var result: WorkResult
        let own: [(node: ChunkTree.Node, gradient: [Float])]
        let computedAt: UInt64
        /// XXH64 of each of this worker's own subtree sums.
        let digests: [UInt64]
        var slices: [Int: [(node: ChunkTree.Node, values: [Float])]] = [:]
        var shards: Set<Int> = []
        var stepped = false
        var weightsFinite = true
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
        self.stages = stages
        self.schedule = schedule
        self.weights = weights
        self.previousWeights = weights
        self.version = a.weightsVersion
        self.optimizer = ShardOptimizer(range: range, weights: Array(weights[range]), adam: adam)
    }

    private var size: Int { plan.shardCount }
    private var ownRange: Range<Int> { optimizer.range }

    /// Whether `a` is a step of this group from the weights this replica holds.
    func continues(_ a: WorkAssignment) -> Bool {
        a.experimentId == experimentId && a.sharded?.group == group && a.sharded.map { Int($0.rank) } == rank
            && a.weightsVersion == version
    }

    /// Starts step `a` from this worker's computed result (`result`, whose subtrees hold the full sums): sends
    /// every other member its slices. Returns the finished result when nothing more is needed (never, with peers).
    func begin(_ a: WorkAssignment, computed result: WorkResult, links: PeerLinks) throws -> WorkResult? {
        let own = try result.subtrees.map { (subtree) throws(WireError) -> (ChunkTree.Node, [Float]) in
            guard case .inline(let tensor) = subtree.gradient, tensor.values.count == plan.parameterCount else {
                throw WireError(.internal, "a computed subtree is not inline")
            }
            return (ChunkTree.Node(level: Int(subtree.level), index: Int(subtree.index)), tensor.values)
        }
        let computedAt = DispatchTime.now().uptimeNanoseconds
        inFlight = StepExchange(
            assignment: a, result: result, own: own, computedAt: computedAt, digests: own.map { WeightsDigest.of($0.1) })
        // The new weights are assembled in the other buffer; these stay for an audit of this step.
        previousVersion = nil
        for member in 0..<size where member != rank {
            let range = plan.range(of: member)
            let subtrees = own.map { node, gradient in
                Subtree(level: UInt32(node.level), index: UInt32(node.index),
                        gradient: Tensor(Array(gradient[range])))
            }
            try links.send(.gradientSlices(GradientSlices(
                experimentId: experimentId, group: group, weightsVersion: version, senderRank: UInt32(rank),
                subtrees: subtrees)), to: peers[member])
        }
        return try advance(links: links)
    }

    /// Whether a peer's message belongs to the step in progress (else the caller may keep it for a later step).
    func isForStepInProgress(group: UInt64, version: UInt64, experimentId: String) -> Bool {
        inFlight != nil && group == self.group && version == self.version && experimentId == self.experimentId
    }

    /// Takes a member's slices of the step in progress. Returns the finished result when this was the last
    /// message needed.
    /// - Throws: ``WireError`` `.badRequest` for slices that cannot be this step's (the message is dropped).
    func receive(_ s: GradientSlices, links: PeerLinks) throws -> WorkResult? {
        guard var step = inFlight else { return nil }
        let sender = Int(s.senderRank)
        guard sender < size, sender != rank, step.slices[sender] == nil else {
            throw WireError(.badRequest, "slices from rank \(s.senderRank) of a group of \(size) (this is rank \(rank)), "
                + "or sent twice")
        }
        let tree = ChunkTree(chunkCount: schedule.chunkCount(step: Int(step.assignment.step)))
        var slices: [(ChunkTree.Node, [Float])] = []
        for subtree in s.subtrees {
            guard case .inline(let tensor) = subtree.gradient, tensor.values.count == ownRange.count,
                Int(subtree.level) <= tree.height, Int(subtree.index) << Int(subtree.level) < tree.chunkCount
            else {
                throw WireError(.badRequest, "a slice from rank \(sender) is not a subtree of this step with "
                    + "\(ownRange.count) values")
            }
            slices.append((ChunkTree.Node(level: Int(subtree.level), index: Int(subtree.index)), tensor.values))
        }
        step.slices[sender] = slices
        inFlight = step
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
            guard step.slices.count == size - 1 else { return nil }
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
        let finite = step.own.allSatisfy { _, g in
            g.withUnsafeBufferPointer { TrainingDiverged.allFinite($0.baseAddress!, count: $0.count) }
        } && result.lossSum.isFinite
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
        // Each node's values: this worker's full sums (read from the shard's offset) or a member's slice.
        var sources: [ChunkTree.Node: (values: [Float], offset: Int)] = [:]
        for (node, gradient) in step.own { sources[node] = (gradient, ownRange.lowerBound) }
        for (_, slices) in step.slices {
            for (node, slice) in slices { sources[node] = (slice, 0) }
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
        guard next == tree.chunkCount, covered.count == step.own.count + step.slices.values.map(\.count).reduce(0, +)
        else {
            throw WireError(.badRequest, "the members' subtrees cover \(next) of the step's \(tree.chunkCount) chunks, "
                + "or one twice")
        }
        step.weightsFinite = optimizer.step(
            epoch: Int(a.epoch), step: Int(a.step), tree: tree, stages: stages, schedule: schedule, scratch: scratch
        ) { node, body in
            guard let source = sources[node] else { return false }
            source.values.withUnsafeBufferPointer { body($0.baseAddress! + source.offset) }
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
