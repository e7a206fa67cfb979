import Core
import Foundation
import Logging
import Wire

/// Worker handshakes, results and the scheduler's directives.
extension CoordinatorServer {
    func workerHello(_ hello: Hello, from peer: PeerID) throws -> WireMessage {
        // Peer text goes into logs, events and other users' terminals: escaped and cut.
        let name = PrintableText.escaped(hello.name, limit: 100)
        let label = "\(name)@\(PrintableText.escaped(hello.host, limit: 100)) pid \(hello.pid)"
        if hello.protocolVersion != Wire.protocolVersion {
            logger.warning("refused a worker: protocol version differs", metadata: ["worker": "\(label)"])
            return .reject(WireError(.versionMismatch, "worker \(label) speaks protocol version "
                + "\(hello.protocolVersion), the coordinator \(Wire.protocolVersion): run the same distembed release "
                + "everywhere"))
        }
        if hello.kernelFingerprint != KernelFingerprint.current {
            logger.warning("refused a worker: kernel fingerprint differs", metadata: ["worker": "\(label)"])
            let theirCPU = hello.cpu.isEmpty ? "a CPU it did not name (an older release?)"
                : PrintableText.escaped(hello.cpu, limit: 200)
            return .reject(WireError(.fingerprintMismatch, "worker \(label) has kernel fingerprint "
                + "\(hello.kernelFingerprint) on \(theirCPU); the coordinator has \(KernelFingerprint.current) on "
                + "\(KernelPath.machine). One release gives the same bits on every CPU, so this is a bug (or two "
                + "releases): run the same distembed release everywhere, and if you do, please report it with both "
                + "CPUs"))
        }
        let theirs = hello.datasetSHA256
        let mismatched = catalog.sha256.filter { theirs[$0.name] != $0.digest }.map(\.name)
        if !mismatched.isEmpty {
            logger.warning("refused a worker: dataset differs", metadata: ["worker": "\(label)",
                                                                           "files": "\(mismatched)"])
            return .reject(WireError(.datasetMismatch, "worker \(label): SHA-256 of \(mismatched.joined(separator: ", "))"
                + " differs from the coordinator's (\(options.dataFolder)); give every process the same "
                + "dataset files (Fashion-MNIST: Debian's dataset-fashion-mnist), or start the worker with "
                + "--fetch-data FOLDER to fetch them from the coordinator"))
        }
        let process = ReplicaCheck.Process(host: PrintableText.escaped(hello.host, limit: 100), pid: hello.pid)
        if replicaCheck.isBarred(process) {
            logger.warning("refused a worker: its weights differed from the coordinator's before",
                           metadata: ["worker": "\(label)"])
            return .reject(WireError(.unauthorized, "worker \(label) computed with weights that differed from the "
                + "coordinator's \(ReplicaCheck.maxStrikes) times: its host's memory (or its network) corrupts data. "
                + "Check the host (EDAC error counters, a memory test); a worker process started again is let in"))
        }
        if let old = workers.id(of: peer) { remove(old, reason: "said hello again") }
        guard workers.count < options.maxWorkers else {
            return .reject(WireError(.busy, "the coordinator already has \(options.maxWorkers) workers "
                + "(--max-workers)"))
        }
        let id = nextWorkerID
        nextWorkerID += 1
        workers.add(ConnectedWorker(
            peer: peer, name: name, process: process, cpu: PrintableText.escaped(hello.cpu, limit: 200),
            peerEndpoint: PeerEndpoint.checked(hello.peerEndpoint),
            peerPublicKey: CurveKeys.isValid(hello.peerPublicKey) ? hello.peerPublicKey : nil), as: id)
        scheduler.workerJoined(id, name: name, at: now)
        telemetry?.metrics.workerJoined()
        logger.info("worker joined", metadata: ["worker": "\(label)", "id": "\(id)"])
        if let run {
            if run.trainingStarted {
                counters.workersJoined += 1
                event(run.id, "worker", "worker \(name) joined at \(run.key)")
            }
            sendSetup(to: id, run: run)
        }
        return .welcome(Welcome(workerId: id, heartbeatIntervalMs: UInt32(options.heartbeatInterval * 1000)))
    }

    func workerHeartbeat(from peer: PeerID) throws -> WireMessage? {
        guard let id = workers.id(of: peer) else {
            throw WireError(.notFound, "unknown worker (the coordinator may have restarted): send hello")
        }
        scheduler.heard(from: id, at: now)
        return .heartbeat(Heartbeat(sentAtNanos: DispatchTime.now().uptimeNanoseconds))
    }

    func workerGoodbye(_ goodbye: Goodbye, from peer: PeerID) {
        guard let id = workers.id(of: peer) else { return }
        remove(id, reason: "said goodbye: \(PrintableText.escaped(goodbye.reason))")
    }

    func sendSetup(to id: WorkerID, run: ExperimentRun) {
        guard let worker = workers[id] else { return }
        scheduler.setupSent(to: id, at: now)
        let segment = makeSegment(for: run)
        workers[id]?.segment = segment.map(WorkerSegment.init)
        reply(.experimentSetup(ExperimentSetup(
            experimentId: run.id, specJSON: run.specJSON, sharedSegment: segment?.offer,
            sharedWeights: segment == nil ? nil : run.sharedWeights?.offer)), to: worker.peer)
    }

    /// A new shared segment for one worker of `run`, or nil when shared memory is off or cannot be had (said once
    /// per experiment: the workers then train over messages).
    private func makeSegment(for run: ExperimentRun) -> SharedSegment? {
        guard options.sharedMemory, let slots = WorkerSegment.slotCount(
            parameterCount: run.training.model.parameterCount, chunkCount: run.training.schedule.chunkCount(step: 0))
        else { return nil }
        do {
            return try SharedSegment.create(parameterCount: run.training.model.parameterCount, slotCount: slots)
        } catch {
            if sharedMemoryFailure != run.id {
                sharedMemoryFailure = run.id
                logger.warning("no shared memory for the workers; they train over messages",
                               metadata: ["experiment": "\(run.id)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// The shared weights of a new run, which every local worker maps and Adam copies each step's weights to: nil
    /// when shared memory is off or cannot be had (then each worker's own segment gets a copy, if it has one).
    func makeWeightsSegment(parameterCount: Int, experiment: String) -> SharedSegment? {
        guard options.sharedMemory else { return nil }
        do {
            return try SharedSegment.create(parameterCount: parameterCount, slotCount: 0)
        } catch {
            logger.warning("no shared weights; each local worker's segment gets a copy of them every step",
                           metadata: ["experiment": "\(experiment)", "error": "\(error)"])
            return nil
        }
    }

    func setupAcknowledged(_ ack: SetupAck, from peer: PeerID) throws {
        guard let id = workers.id(of: peer) else {
            throw WireError(.notFound, "unknown worker (the coordinator may have restarted): send hello")
        }
        // An answer to an earlier experiment's setup says nothing about this one's.
        guard let run, run.id == ack.experimentId else { return }
        if ack.sharedSegmentAttached && ack.error == nil && workers[id]?.segment != nil {
            workers[id]?.segment?.markAttached(
                repliesInMailbox: ack.repliesInMailbox,
                readsSharedWeights: ack.sharedWeightsAttached && run.sharedWeights != nil)
        } else {
            workers[id]?.segment = nil
        }
        if let refusal = ack.error {
            let error = PrintableText.escaped(refusal.message)
            let name = workers[id]?.name ?? "\(id)"
            logger.error("worker could not set up the experiment", metadata: ["worker": "\(name)",
                                                                              "error": "\(error)"])
            event(run.id, "worker", "worker \(name) refused the experiment: \(error)")
            execute(scheduler.setupFailed(id, at: now))  // connected, but not for this experiment
        } else {
            let segment = workers[id]?.segment
            logger.info("worker set up the experiment", metadata: [
                "worker": "\(workers[id]?.name ?? "\(id)")",
                "data path": "\(segment != nil ? "shared memory" : "messages")",
                "weights": "\(segment == nil ? "in messages" : segment!.readsSharedWeights ? "shared" : "copied")",
            ])
            if !holdWhileShardedGroupRuns(id) { execute(scheduler.workerReady(id, at: now)) }
        }
        beginFirstStepIfReady()
    }

    /// The first step waits until every worker known at the start has answered its setup, so it is shared.
    func beginFirstStepIfReady() {
        guard let run, !run.trainingStarted, !scheduler.setupsPending, scheduler.readyCount > 0 else { return }
        run.markTrainingStarted(now: now)
        let ready = scheduler.readyCount
        let shared = workers.all.filter { $0.segment?.attached == true }.count
        let posted = workers.ids.contains { repliesInMailbox($0) }
        event(run.id, "state", "shared memory for \(shared) of \(ready) worker\(ready == 1 ? "" : "s")"
            + (posted ? ", results included" : ""))
        beginStep(run)
    }

    /// Deals the run's next step.
    func beginStep(_ run: ExperimentRun) {
        prepareShardedGroup(for: run)
        run.stepDealt(now: now, workers: scheduler.readyCount)
        execute(scheduler.beginStep(
            run.key, chunkCount: run.chunkCount, auditFraction: run.training.spec.determinism.auditFraction,
            everyWorker: sharding.group != nil, at: now))
    }

    func workResult(_ result: WorkResult, from peer: PeerID) throws {
        guard let id = workers.id(of: peer) else {
            throw WireError(.notFound, "unknown worker (the coordinator may have restarted): send hello")
        }
        guard let run, result.experimentId == run.id else { return }
        if let report = result.sharded {
            try shardedResult(result, report: report, from: id, run: run)
            return
        }
        if sharding.group?.rank(of: id) != nil {
            remove(id, reason: "sent a result without its sharded report for a sharded step")
            throw WireError(.badRequest, "a sharded step's result must carry its ShardReport")
        }
        let key = StepKey(epoch: Int(result.epoch), step: Int(result.step), version: result.weightsVersion)
        guard key == run.key, let chunks = run.chunks(coveredBy: result) else {
            logger.debug("ignored a late result", metadata: ["worker": "\(id)", "step": "\(key)"])
            return
        }
        let link = workers[id]?.segment
        let checked: CheckedResult
        do {
            checked = try run.validate(
                result, run: chunks,
                shared: link.flatMap { link in link.assignedFirstSlot.map { (link.segment, $0) } })
            if checksReplicas(at: key, of: run), result.weightsDigest != run.weightsDigest {
                replicaDiffers(id, digest: result.weightsDigest, chunks: chunks, run: run)
                return
            }
            try run.checkFinite(checked)
        } catch let diverged as TrainingDiverged {
            fail(run.id, error: diverged.description)
            return
        } catch {
            logger.error("dropping worker: bad result", metadata: ["worker": "\(id)", "error": "\(error)"])
            remove(id, reason: "sent a bad result: \(error)")
            throw error
        }
        guard let checks = scheduler.checks(of: id, key: key, run: chunks) else { return }
        if checks.isEmpty {
            let (accepted, directives) = scheduler.resultArrived(from: id, key: key, run: chunks, at: now)
            guard accepted else { return }
            run.store(checked)
            execute(directives)
            return
        }
        let verdict = run.audit(checked, tieBreak: checks.count == 2)
        let action = settleAudit(verdict, of: chunks, checks: checks, by: id, run: run)
        if action == .stopped { return }
        let (_, directives) = scheduler.resultArrived(from: id, key: key, run: chunks, at: now)
        if case .drop(let wrong) = action {
            remove(wrong, reason: "its result for chunks \(chunks) of \(key) differed from two others")
        }
        execute(directives)
    }

    /// Whether the results of `key` must carry their weights' digest.
    func checksReplicas(at key: StepKey, of run: ExperimentRun) -> Bool {
        replicaCheck.checks(epoch: key.epoch, step: key.step, stepsPerEpoch: run.training.schedule.stepsPerEpoch)
    }

    /// Worker `id` computed chunks `chunks` of the step with weights whose digest (`digest`; nil: it sent none)
    /// differs from the coordinator's: says so in the log and the events, tells the worker, and drops it, so that
    /// its result is never used and its chunks are computed again. A process that did it ``ReplicaCheck/maxStrikes``
    /// times is refused when it says hello again.
    func replicaDiffers(_ id: WorkerID, digest: UInt64?, chunks: Range<Int>?, run: ExperimentRun) {
        guard let worker = workers[id] else { return }
        counters.replicaMismatches += 1
        let strikes = replicaCheck.recordMismatch(of: worker.process)
        let theirs = digest.map { hex($0) } ?? "none"
        let ours = hex(run.weightsDigest)
        let who = "worker \(worker.name) (\(worker.process.host) pid \(worker.process.pid), CPU "
            + "\(worker.cpu.isEmpty ? "unnamed" : worker.cpu), peer \(worker.peer))"
        logger.critical("replica check: a worker computed with weights that differ from the coordinator's", metadata: [
            "worker": "\(worker.name)", "host": "\(worker.process.host)", "pid": "\(worker.process.pid)",
            "cpu": "\(worker.cpu)", "peer": "\(worker.peer)", "step": "\(run.key)",
            "chunks": "\(chunks.map { "\($0)" } ?? "all (sharded)")",
            "worker digest": "\(theirs)", "coordinator digest": "\(ours)", "mismatches": "\(strikes)",
        ])
        let reason = "its weights at \(run.key) had digest \(theirs), the coordinator's \(ours) (silent data "
            + "corruption on its host?); its result was refused and its chunks are computed again"
        let next = strikes >= ReplicaCheck.maxStrikes
            ? "; \(strikes) mismatches: this worker process will not be let in again"
            : "; it may join again (mismatch \(strikes) of \(ReplicaCheck.maxStrikes))"
        event(run.id, "replica", "\(who): \(reason)\(next)")
        reply(.goodbye(Goodbye(reason: "dropped by the coordinator: \(reason)\(next)")), to: worker.peer)
        remove(id, reason: "its weights differed from the coordinator's (digest \(theirs), expected \(ours))")
    }

    /// A digest as 16 hex digits.
    private func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// What a recomputation leads to.
    enum AuditAction: Equatable {
        case carryOn
        /// The worker whose result two others contradict.
        case drop(WorkerID)
        /// The experiment failed: nobody can tell which result is right.
        case stopped
    }

    /// Acts on a recomputation of `chunks` by worker `id` that checks the workers `checks` (one: an audit; two: a
    /// tie-break).
    func settleAudit(
        _ verdict: ExperimentRun.AuditVerdict, of chunks: Range<Int>, checks: [WorkerID], by id: WorkerID,
        run: ExperimentRun
    ) -> AuditAction {
        let name = { (worker: WorkerID) in self.workers[worker]?.name ?? "#\(worker)" }
        let pair = "workers \(name(checks[0])) and \(name(checks.count == 2 ? checks[1] : id))"
        let place = "chunks \(chunks) of \(run.key)"
        switch verdict {
        case .agrees where checks.count == 1:
            return .carryOn
        case .differs:
            counters.auditMismatches += 1
            logger.error("audit: two workers computed different bits", metadata: ["workers": "\(pair)",
                                                                                   "chunks": "\(place)"])
            guard scheduler.disputed(chunks, between: [checks[0], id]) else {
                fail(run.id, error: "audit: \(pair) computed different bits for \(place), and no third worker is "
                    + "connected to tell which is right; check both hosts (memory errors, another release) and "
                    + "submit again")
                return .stopped
            }
            event(run.id, "audit", "\(pair) computed different bits for \(place); a third worker computes them")
            return .carryOn
        case .agrees:
            event(run.id, "audit", "worker \(name(id)) agrees with \(name(checks[0])) on \(place): dropping "
                + name(checks[1]))
            return .drop(checks[1])
        case .replacedStored:
            event(run.id, "audit", "worker \(name(id)) agrees with \(name(checks[1])) on \(place): dropping "
                + name(checks[0]))
            return .drop(checks[0])
        case .agreesWithNeither:
            fail(run.id, error: "audit: \(pair) and \(name(id)) computed three different results for \(place); "
                + "check the hosts (memory errors, another release) and submit again")
            return .stopped
        }
    }

    /// Carries out the scheduler's directives.
    func execute(_ directives: [Directive]) {
        for directive in directives {
            switch directive {
            case .assign(let id, let key, let chunks):
                // A directive of a step a sharded group's rollback abandoned is no assignment any more.
                guard let run, let worker = workers[id], key == run.key,
                    scheduler.checks(of: id, key: key, run: chunks) != nil
                else { continue }
                waiting = nil
                if let assignment = shardedAssignment(for: id, of: run, key: key, chunks: chunks) {
                    reply(.workAssignment(assignment), to: worker.peer)
                    continue
                }
                let subtrees = ChunkTree(chunkCount: run.chunkCount).cover(chunks).count
                let firstSlot = workers[id]?.segment?.assign(key, weights: run.training.weights, subtrees: subtrees)
                let assignment = WorkAssignment(
                    experimentId: run.id, epoch: UInt32(key.epoch), step: UInt32(key.step),
                    weightsVersion: key.version, chunkBegin: UInt32(chunks.lowerBound),
                    chunkEnd: UInt32(chunks.upperBound), weights: firstSlot == nil ? Tensor(run.training.weights) : nil,
                    firstSharedSlot: firstSlot, replyInMailbox: firstSlot != nil && repliesInMailbox(id),
                    sendWeightsDigest: checksReplicas(at: key, of: run))
                if firstSlot == nil || !post(assignment, to: id) {
                    reply(.workAssignment(assignment), to: worker.peer)
                }
                if assignment.replyInMailbox { workers[id]?.segment?.expectPostedResult() }
            case .drop(let id, let reason):
                if let worker = workers[id] {
                    logger.warning("worker dropped", metadata: ["worker": "\(worker.name)", "reason": "\(reason)"])
                    reply(.goodbye(Goodbye(reason: "dropped by the coordinator: \(reason)")), to: worker.peer)
                }
                forget(id, reason: reason)
            case .stepComplete:
                // A sharded group's rollback abandoned the step: it is dealt again, not completed.
                guard !sharding.stepPending else { continue }
                completeStep()
            case .waiting(let reason):
                if waiting == nil { waiting = Waiting(since: now, reason: reason) }
            }
        }
    }

    /// Posts `assignment` in the worker's shared segment (its mailbox wakes the worker without ZeroMQ); false when
    /// it cannot, and it must go as a message.
    private func post(_ assignment: WorkAssignment, to id: WorkerID) -> Bool {
        guard let segment = workers[id]?.segment?.segment else { return false }
        mailboxCodec.encode(Envelope(requestId: 0, message: .workAssignment(assignment)), into: &mailboxBuffer)
        return segment.post(mailboxBuffer)
    }

    /// Says so, once, when the experiment has waited for workers for more than two seconds (`run` starts its
    /// workers right after the coordinator, so a shorter wait is normal).
    func reportWaiting() {
        guard let run, let w = waiting, !w.reported, now - w.since > 2 else { return }
        waiting?.reported = true
        logger.warning("waiting for workers", metadata: ["experiment": "\(run.id)"])
        event(run.id, "waiting", w.reason)
    }

    /// Removes a worker the shell decided to lose: from the scheduler (its chunks are dealt again) and the tables.
    func remove(_ id: WorkerID, reason: String) {
        let directives = scheduler.workerLost(id, at: now)
        forget(id, reason: reason)
        execute(directives)
    }

    /// Removes a worker from the tables, once the scheduler has let it go (``remove(_:reason:)``, or its drop
    /// directive).
    private func forget(_ id: WorkerID, reason: String) {
        guard let worker = workers.remove(id) else { return }
        shardedMemberLost(id, name: worker.name, reason: reason)
        telemetry?.metrics.workerLost()
        if let run {
            counters.workersLost += 1
            event(run.id, "worker", "worker \(worker.name) lost at \(run.key): \(reason)")
        }
        logger.info("worker left", metadata: ["worker": "\(worker.name)", "reason": "\(reason)"])
        beginFirstStepIfReady()
    }
}
