import Core
import Foundation
import Logging
import Wire

/// The coordinator's part in the sharded reduction (Docs/ShardedReduction.md): forming a group of the ready
/// workers, dealing its steps, taking its results, gathering the state when it is needed, and rolling back to the
/// group's restore point when a member is lost.
struct ShardingState {
    /// The running experiment's group; nil while the coordinator reduces (star) or between groups.
    var group: ShardedGroup?
    /// Workers set up while a group ran: ready once it ends (at its next gather), when a new group takes them in.
    var heldWorkers: Set<WorkerID> = []
    /// The step is to be dealt again at the next tick (a group rolled back).
    var stepPending = false
    /// Steps (by key) at which a member reported a gradient that is not finite: a second time means the step
    /// itself diverged (the first drops the member, which may be faulty).
    var nonFiniteSteps: Set<StepKey> = []
    /// Groups formed and rolled back this run.
    var groupsFormed = 0
    var rollbacks = 0
    /// Gather at every step up to this weights version: after replicas disagreed with no majority, the steps of the
    /// groups that follow are checked against the coordinator's weights until past the disputed one.
    var gatherThrough: UInt64?
}

extension CoordinatorServer {
    /// Forms, keeps or ends the group before step `run.key` is dealt.
    func prepareShardedGroup(for run: ExperimentRun) {
        if let group = sharding.group, group.endRequested && group.coordinatorHoldsWeights {
            endShardedGroup()
        }
        if var group = sharding.group {
            group.gathering = needsGather(run, group: group)
            group.startStep()
            sharding.group = group
            return
        }
        guard let members = shardableMembers(of: run) else { return }
        var group = ShardedGroup(
            id: UInt64.random(in: 1 ... .max), members: members,
            endpoints: members.map { workers[$0]?.peerEndpoint ?? "" },
            keys: options.curve == nil ? [] : members.map { workers[$0]?.peerPublicKey ?? "" },
            parameterCount: run.training.model.parameterCount, restorePoint: run.training.checkpoint(now: now))
        group.gathering = needsGather(run, group: group)
        sharding.group = group
        sharding.groupsFormed += 1
        let names = members.map { workers[$0]?.name ?? "\($0)" }.joined(separator: ", ")
        logger.info("sharded group formed", metadata: [
            "group": "\(String(group.id, radix: 16))", "members": "\(names)", "step": "\(run.key)",
        ])
        event(run.id, "sharded", "the gradients of \(members.count) workers are reduced among them from \(run.key) "
            + "(\(names)), each owning 1/\(members.count) of the parameters")
    }

    /// The ready workers, in id order, when they can form a group for `run`: two or more, each with a peer
    /// endpoint (and, with CURVE, a peer key) and no shared memory, and at least 16 parameters each. (A member may
    /// have no chunks in a step: it still owns its shard.)
    private func shardableMembers(of run: ExperimentRun) -> [WorkerID]? {
        guard options.reduction == .sharded else { return nil }
        let ready = scheduler.readyWorkerIDs
        guard ready.count >= 2, run.training.model.parameterCount >= 16 * ready.count,
            ready.allSatisfy({
                workers[$0]?.peerEndpoint != nil && workers[$0]?.segment?.attached != true
                    && (options.curve == nil || workers[$0]?.peerPublicKey != nil)
            })
        else { return nil }
        return ready
    }

    /// Whether the coordinator needs the state after the step about to be dealt: the epoch's last step, a
    /// checkpoint after it, a worker waiting to join, or a disputed step not yet passed.
    private func needsGather(_ run: ExperimentRun, group: ShardedGroup) -> Bool {
        let training = run.training
        let every = training.spec.checkpoint.everySteps
        return training.step == training.schedule.stepsPerEpoch - 1
            || (every > 0 && (training.completedSteps + 1) % every == 0)
            || group.endRequested || cancelRequested
            || sharding.gatherThrough.map { run.key.version <= $0 } == true
    }

    /// The assignment of a group member's step.
    func shardedAssignment(
        for id: WorkerID, of run: ExperimentRun, key: StepKey, chunks: Range<Int>
    ) -> WorkAssignment? {
        guard let group = sharding.group, let rank = group.rank(of: id) else { return nil }
        var assignment = WorkAssignment(
            experimentId: run.id, epoch: UInt32(key.epoch), step: UInt32(key.step), weightsVersion: key.version,
            chunkBegin: UInt32(chunks.lowerBound), chunkEnd: UInt32(chunks.upperBound))
        var step = ShardedStep(group: group.id, rank: UInt32(rank), size: UInt32(group.members.count))
        if scheduler.checks(of: id, key: key, run: chunks)?.isEmpty == false {
            step.audit = true
        } else {
            if !group.formed {
                assignment.weights = Tensor(run.training.weights)
                step.peers = group.endpoints
                step.peerKeys = group.keys
                step.state = run.shardState(group.plan.range(of: rank))
            }
            assignment.sendWeightsDigest = checksReplicas(at: key, of: run)
            step.returnState = group.gathering
        }
        assignment.sharded = step
        return assignment
    }

    /// A member's result of a sharded step.
    func shardedResult(_ result: WorkResult, report: ShardReport, from id: WorkerID, run: ExperimentRun) throws {
        guard var group = sharding.group, report.group == group.id, let rank = group.rank(of: id) else {
            logger.debug("ignored a result of another sharded group", metadata: ["worker": "\(id)"])
            return
        }
        let key = StepKey(epoch: Int(result.epoch), step: Int(result.step), version: result.weightsVersion)
        let chunks = Int(report.chunkBegin)..<Int(max(report.chunkBegin, report.chunkEnd))
        guard key == run.key, let checks = scheduler.checks(of: id, key: key, run: chunks) else {
            logger.debug("ignored a late result", metadata: ["worker": "\(id)", "step": "\(key)"])
            return
        }
        let checked: CheckedResult
        do {
            checked = try run.validateSharded(
                result, report: report, run: chunks, shard: group.plan.range(of: rank),
                gathering: group.gathering && checks.isEmpty)
            let subtrees = chunks.isEmpty ? 0 : ChunkTree(chunkCount: run.chunkCount).cover(chunks).count
            guard report.subtreeDigests.count == subtrees else {
                throw WireError(.badRequest, "the result for chunks \(chunks) of \(key) carries "
                    + "\(report.subtreeDigests.count) subtree digests")
            }
        } catch {
            logger.error("dropping worker: bad result", metadata: ["worker": "\(id)", "error": "\(error)"])
            remove(id, reason: "sent a bad result: \(error)")
            throw error
        }
        let opinion = ShardedOpinion(report, stats: checked.stats)
        guard checks.isEmpty else {
            settleShardedAudit(opinion, of: chunks, checks: checks, by: id, run: run)
            return
        }
        group.opinions[chunks] = opinion
        let diverged = { (what: String) in
            self.fail(run.id, error: TrainingDiverged(
                epoch: key.epoch + 1, step: key.step,
                learningRate: run.training.stages.stage(epoch: key.epoch).learningRate, what: what).description)
        }
        guard report.weightsFinite else {
            diverged("the new weights of shard \(rank) (of \(group.members.count)) are not finite (NaN or infinity)")
            return
        }
        guard report.gradientFinite else {
            guard sharding.nonFiniteSteps.insert(key).inserted else {
                diverged("two workers computed a gradient or loss that is not finite (NaN or infinity) at this step")
                return
            }
            remove(id, reason: "its gradient or loss for chunks \(chunks) of \(key) is not finite (NaN or infinity); "
                + "the step is computed again without it")
            return
        }
        if let digest = result.weightsDigest { group.digests[id] = digest }
        if let state = report.state { group.returned[rank] = state }
        sharding.group = group
        let (accepted, directives) = scheduler.resultArrived(from: id, key: key, run: chunks, at: now)
        guard accepted else { return }
        run.store(checked)
        execute(directives)
    }

    /// An audit of `chunks` by member `id` (one check: an audit; two: a tie-break). The sums it checks were used
    /// already, so a member found wrong is dropped, which rolls the group back past them.
    private func settleShardedAudit(
        _ opinion: ShardedOpinion, of chunks: Range<Int>, checks: [WorkerID], by id: WorkerID, run: ExperimentRun
    ) {
        guard var group = sharding.group else { return }
        let verdict = group.audit(opinion, of: chunks, tieBreak: checks.count == 2)
        sharding.group = group
        let action = settleAudit(verdict, of: chunks, checks: checks, by: id, run: run)
        if action == .stopped { return }
        let (_, directives) = scheduler.resultArrived(from: id, key: run.key, run: chunks, at: now)
        if case .drop(let wrong) = action {
            remove(wrong, reason: "its result for chunks \(chunks) of \(run.key) differed from two others")
        }
        execute(directives)
    }

    /// How a group's step ended.
    enum ShardedStepEnd {
        /// The run advanced; the epoch's metrics when the step ended one.
        case completed(EpochMetrics?)
        /// Replicas disagreed: the group rolled back, and the step is dealt again at the next tick.
        case rolledBack
    }

    /// Completes a step of the group, once every member answered: checks the replicas' digests, adopts a gathered
    /// state.
    /// - Throws: ``TrainingDiverged`` when the gathered weights or the epoch's loss are not finite.
    func completeShardedStep(_ run: ExperimentRun, group: ShardedGroup) throws(TrainingDiverged) -> ShardedStepEnd {
        var group = group
        if checksReplicas(at: run.key, of: run) {
            let ours = group.coordinatorHoldsWeights ? run.weightsDigest : nil
            guard let differing = group.replicasThatDiffer(coordinatorDigest: ours) else {
                sharding.gatherThrough = run.key.version
                rollBackShardedGroup(because: "the members' weights at \(run.key) disagree with no majority; the "
                    + "steps are checked against the coordinator's weights until past it")
                return .rolledBack
            }
            if !differing.isEmpty {
                for id in differing { replicaDiffers(id, digest: group.digests[id], chunks: nil, run: run) }
                return .rolledBack
            }
        }
        let gathered = group.gathering ? group.gatheredState() : nil
        guard gathered != nil || !group.gathering else {
            // Each member's result was checked to carry its shard's state; should one be missing all the same,
            // the coordinator cannot go on from this step without it.
            rollBackShardedGroup(because: "a shard's state did not come back at \(run.key)")
            return .rolledBack
        }
        let metrics = try run.completeShardedStep(now: now, gathered: gathered)
        group.formed = true
        group.coordinatorHoldsWeights = gathered != nil
        if gathered != nil { group.restorePoint = run.training.checkpoint(now: now) }
        sharding.group = group
        return .completed(metrics)
    }

    /// A member is gone (lost, dropped, refused): the group's state since its restore point went with it.
    func shardedMemberLost(_ id: WorkerID, name: String, reason: String) {
        sharding.heldWorkers.remove(id)
        guard sharding.group?.rank(of: id) != nil else { return }
        rollBackShardedGroup(because: "worker \(name) left: \(reason)")
    }

    /// Ends the group and goes back to its restore point; the step is dealt again at the next tick, to a new group
    /// of the workers still there (or by the coordinator alone).
    func rollBackShardedGroup(because reason: String) {
        guard let group = sharding.group, let run else { return }
        let from = run.key
        scheduler.abandonStep()
        endShardedGroup()
        do {
            try run.rollBack(to: group.restorePoint)
        } catch {
            fail(run.id, error: "cannot go back to the sharded group's restore point: \(error)")
            return
        }
        sharding.rollbacks += 1
        sharding.stepPending = true
        logger.warning("sharded group rolled back", metadata: [
            "group": "\(String(group.id, radix: 16))", "from": "\(from)", "to": "\(run.key)", "reason": "\(reason)",
        ])
        event(run.id, "sharded", "\(reason): the group's steps from \(run.key) to \(from) are taken again")
    }

    /// Ends the group; the workers held back while it ran become ready.
    private func endShardedGroup() {
        sharding.group = nil
        let held = sharding.heldWorkers
        sharding.heldWorkers = []
        for id in held.sorted() where workers[id] != nil { execute(scheduler.workerReady(id, at: now)) }
    }

    /// A worker set up the experiment while a group runs: it waits for the group's next gather, which then ends
    /// the group so that the next takes it in. Returns false when it can be made ready now.
    func holdWhileShardedGroupRuns(_ id: WorkerID) -> Bool {
        guard var group = sharding.group, group.rank(of: id) == nil else { return false }
        group.endRequested = true
        sharding.group = group
        sharding.heldWorkers.insert(id)
        return true
    }

    /// A member answered its step with an error (it could not take part): it trains through the coordinator from
    /// now on, and the group rolls back.
    func shardedMemberFailed(_ id: WorkerID, error: WireError) {
        guard sharding.group?.rank(of: id) != nil else { return }
        workers[id]?.peerEndpoint = nil
        rollBackShardedGroup(because: "worker \(workers[id]?.name ?? "\(id)") could not take its sharded step "
            + "(\(PrintableText.escaped(error.message, limit: 300))); it trains through the coordinator from now on")
    }

    /// Deals the step again after a rollback (from the loop's tick, never inside a directive's execution).
    func dealPendingShardedStep() {
        guard sharding.stepPending else { return }
        sharding.stepPending = false
        guard let run, run.trainingStarted, !run.training.finished else { return }
        beginStep(run)
    }
}
