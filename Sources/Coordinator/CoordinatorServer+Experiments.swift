import Core
import Foundation
import Logging
import Wire

/// Submitting, starting, stepping, finishing and cancelling experiments.
extension CoordinatorServer {
    func submit(_ request: SubmitRequest) throws -> WireMessage {
        let admitted = try admit(request)
        if !request.seeds.isEmpty { return try queueSweep(admitted, of: request) }
        let spec = admitted[0].spec
        let record = try store.insertExperiment(
            name: spec.name, specJSON: admitted[0].json, minWorkers: Int(request.minWorkers), at: now)
        try store.appendEvent(id: record.id, kind: "state", line: "queued", at: now)
        logger.info("experiment queued", metadata: ["experiment": "\(record.id)", "name": "\(spec.name)"])
        if run == nil { startNextExperiment() }
        return .submitReply(SubmitReply(experimentId: record.id))
    }

    /// The images `spec` trains and evaluates on, read from the coordinator's dataset folder now rather than held
    /// from start-up: the coordinator keeps only what the running experiment uses (the exercise's 10,000 training
    /// images instead of all 60,000).
    /// - Throws: when the files cannot be read as the spec says, when the model does not fit them (its input, its
    ///   classes), or when they changed since the coordinator checked them at start (the workers were admitted
    ///   against those digests).
    func datasetForRun(_ spec: ExperimentSpec) throws -> Dataset {
        let loaded: Dataset
        do {
            loaded = try catalog.load(spec.dataset)
        } catch {
            switch error {
            case .unreadable(let error): throw WireError(.invalidSpec, "dataset: \(error)")
            case .changed(let files):
                throw WireError(.internal, "\(files.joined(separator: ", ")) in \(options.dataFolder) changed since "
                    + "the coordinator started and checked its workers against them; restart the coordinator")
            }
        }
        do {
            try loaded.check(fits: try Model(spec.model), spec: spec.model)
        } catch {
            throw WireError(.invalidSpec, "\(error)")
        }
        return loaded
    }

    /// Starts the oldest queued experiment, if any, once enough workers are connected (at least one, and its
    /// `minWorkers`).
    func startNextExperiment() {
        // While the store cannot take how an experiment ended, it cannot be trusted with a new one either; and an
        // experiment being evaluated still has the CPU.
        guard run == nil, evaluation == nil, !workers.isEmpty, unsavedOutcomes.isEmpty else { return }
        let record: ExperimentRecord
        do {
            guard let next = try store.nextQueued(), workers.count >= next.minWorkers else { return }
            record = next
        } catch {
            logger.error("cannot read the queue", metadata: ["error": "\(error)"])
            return
        }
        do {
            let spec = try ExperimentSpec.parse(json: record.specJSON, limits: .maximum)  // admitted at submit
            let run = try ExperimentRun(
                id: record.id, spec: spec, specJSON: record.specJSON, dataset: try datasetForRun(spec), now: now,
                weightsSegment: { makeWeightsSegment(parameterCount: $0, experiment: record.id) })
            if let checkpoint = try store.checkpoint(id: record.id) {
                try run.restore(checkpoint, metrics: try store.epochs(id: record.id))
                counters.resumes += 1
                event(record.id, "resume", "resumed from the checkpoint at \(run.key)")
            }
            try store.markRunning(id: record.id, at: now)
            event(record.id, "state", "running on \(workers.count) workers")
            self.run = run
            cancelRequested = false
            logger.info("experiment started", metadata: ["experiment": "\(record.id)"])
            scheduler.experimentStarted()
            for id in workers.ids.sorted() { sendSetup(to: id, run: run) }
        } catch {
            fail(record.id, error: "\(error)")
        }
    }

    /// Reduces the step, steps Adam, and deals the next step (or finishes).
    func completeStep() {
        guard let run else { return }
        // The helper first: a nudged worker on its CPU (a batch thread) then waits for it instead of spinning.
        adamHelper?.wakeHelper()
        nudgeWorkers(of: run.key)
        let metrics: EpochMetrics?
        do {
            if let group = sharding.group {
                guard case .completed(let completed) = try completeShardedStep(run, group: group) else { return }
                metrics = completed
            } else {
                metrics = try run.completeStep(now: now, adamHelper: adamHelper)
            }
        } catch {
            fail(run.id, error: error.description)
            return
        }
        telemetry?.stepCompleted(run)
        do {
            if let metrics {
                try store.appendEpoch(id: run.id, metrics)
            }
            let every = run.training.spec.checkpoint.everySteps
            if !run.training.finished && (metrics != nil || (every > 0 && run.training.completedSteps % every == 0)) {
                let started = DispatchTime.now().uptimeNanoseconds
                try store.saveCheckpoint(id: run.id, run.training.checkpoint(now: now))
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                counters.checkpoints += 1
                counters.checkpointSeconds += seconds
                telemetry?.metrics.checkpointWritten(seconds: seconds)
            }
        } catch {
            // Without its epochs and checkpoint a crash would lose the run: stop it here, cleanly.
            fail(run.id, error: "\(error)")
            return
        }
        if let metrics {
            event(run.id, "epoch", EpochLine.text(metrics, of: run.training.spec.training))
            logger.info("epoch done", metadata: [
                "experiment": "\(run.id)", "epoch": "\(metrics.epoch)", "loss": "\(metrics.loss)",
            ])
        }
        if cancelRequested {
            finish(run, state: .cancelled, message: "cancelled at \(run.key)")
        } else if run.training.finished {
            finish(run, state: .done, message: "done")
        } else {
            beginStep(run)
        }
    }

    func finish(_ run: ExperimentRun, state: ExperimentState, message: String) {
        let sharded = sharding.groupsFormed > 0 ? (groups: sharding.groupsFormed, rollbacks: sharding.rollbacks) : nil
        endRun()
        let events = TrainingEvents(
            workersLost: counters.workersLost, workersJoined: counters.workersJoined,
            reassignedChunks: scheduler.reassignedChunks, resumes: counters.resumes, checkpoints: counters.checkpoints,
            checkpointSeconds: counters.checkpointSeconds, auditedRuns: scheduler.auditedRuns,
            auditMismatches: counters.auditMismatches,
            replicaMismatches: replicaCheck.interval > 0 ? counters.replicaMismatches : nil,
            shardedGroups: sharded?.groups, shardedRollbacks: sharded?.rollbacks)
        counters = EventCounters()
        guard state == .done else {
            save(ExperimentOutcome(state: state, finishedAt: now, error: message), of: run.id)
            startNextExperiment()
            return
        }
        event(run.id, "state", "evaluating the trained weights")
        evaluation = FinalEvaluation(
            run: run, workers: workers.count, events: events,
            artifactsFolder: URL(fileURLWithPath: options.storeDirectory).appendingPathComponent("artifacts")
                .appendingPathComponent(run.id).path,
            finishedAt: now)
    }

    /// How long a stopping coordinator waits for an evaluation in progress: within the stop watchdog's 20 s.
    static let evaluationWaitAtStop = 15.0

    /// Stores the outcome of the evaluation in progress once it is over (``tick()`` asks every 0.1 s), or after
    /// waiting up to `seconds` for it; then the queue goes on.
    func storeEvaluatedOutcome(waiting seconds: Double = 0) {
        guard let evaluation, let outcome = seconds > 0 ? evaluation.wait(seconds: seconds) : evaluation.outcome
        else { return }
        self.evaluation = nil
        if let error = outcome.error {
            logger.error("experiment failed", metadata: ["experiment": "\(evaluation.experimentId)", "error": "\(error)"])
        }
        save(outcome, of: evaluation.experimentId)
        startNextExperiment()
    }

    func fail(_ id: String, error: String) {
        logger.error("experiment failed", metadata: ["experiment": "\(id)", "error": "\(error)"])
        if run?.id == id { endRun() }
        save(ExperimentOutcome(state: .failed, finishedAt: now, error: error), of: id)
    }

    /// Forgets the running experiment: its step, its workers' setups and its shared segments.
    private func endRun() {
        scheduler.experimentEnded()
        sharding = ShardingState()
        releaseSegments()
        waiting = nil
        run = nil
    }

    /// Stores how an experiment ended, then drops its checkpoint. When the store cannot take it (a full disk), the
    /// outcome is kept in memory, answered from there, and written again each second
    /// (``saveUnsavedOutcomes()``): the experiment never looks running with nothing running it, and a result
    /// is not lost.
    func save(_ outcome: ExperimentOutcome, of id: String) {
        do {
            try store.finish(
                id: id, state: outcome.state, at: outcome.finishedAt, error: outcome.error,
                resultJSON: outcome.resultJSON, weights: outcome.weights, weightsSha256: outcome.weightsSha256)
        } catch let error as StoreError where [.invalidState, .notFound].contains(error.code) {
            // Nothing to keep for later: the experiment has ended already, or is gone.
            logger.error("cannot store how the experiment ended", metadata: ["experiment": "\(id)",
                                                                              "error": "\(error)"])
            unsavedOutcomes[id] = nil
            return
        } catch {
            if unsavedOutcomes.updateValue(outcome, forKey: id) == nil {
                logger.error("cannot store how the experiment ended; it is kept in memory and written again each second",
                             metadata: ["experiment": "\(id)", "state": "\(outcome.state)", "error": "\(error)"])
            }
            return
        }
        unsavedOutcomes[id] = nil
        event(id, "state", outcome.line)
        do {
            try store.deleteCheckpoint(id: id)
        } catch {
            // Harmless: an ended experiment's checkpoint is never read; the next successful delete reclaims it.
            logger.warning("cannot delete the checkpoint", metadata: ["experiment": "\(id)", "error": "\(error)"])
        }
        logger.info("experiment finished", metadata: ["experiment": "\(id)", "state": "\(outcome.state)"])
    }

    /// Writes the outcomes the store could not take before (``save(_:of:)`` keeps those it still cannot).
    func saveUnsavedOutcomes() {
        for (id, outcome) in unsavedOutcomes.sorted(by: { $0.key < $1.key }) { save(outcome, of: id) }
    }

    /// Tries once more to write the outcomes the store could not take, and names those it still cannot: they are
    /// lost with this process, and the store still says their experiments run, so the next start resumes them.
    func storeOutcomesBeforeStopping() {
        storeEvaluatedOutcome(waiting: Self.evaluationWaitAtStop)
        saveUnsavedOutcomes()
        for (id, outcome) in unsavedOutcomes.sorted(by: { $0.key < $1.key }) {
            logger.critical(
                "stopping without storing how the experiment ended; the next start resumes it from its checkpoint",
                metadata: ["experiment": "\(id)", "state": "\(outcome.state)"])
        }
    }

    /// Unmaps (and unlinks, if no worker attached them) the ended experiment's shared segments.
    private func releaseSegments() {
        for id in workers.ids { workers[id]?.segment = nil }
    }

    func cancel(_ id: String) throws -> WireMessage {
        if let sweep = try store.sweep(id: id) { return try cancel(sweep) }
        guard let record = try store.experiment(id: id) else { throw notFound(id) }
        switch record.state {
        case .queued:
            try store.finish(id: id, state: .cancelled, at: now, error: "cancelled before it started",
                             resultJSON: nil, weights: nil, weightsSha256: nil)
            event(id, "state", "cancelled")
        case .running:
            if run?.id == id {
                cancelRequested = true
                if scheduler.stepInProgress == nil, let run { finish(run, state: .cancelled, message: "cancelled") }
            }
        default:
            break
        }
        return .cancelReply(try summary(of: id))
    }

    /// On start: experiments left running by a previous process go back to the queue; they resume from their
    /// checkpoint when they start again.
    func recoverAfterRestart() throws {
        for record in try store.running() {
            try store.requeue(id: record.id)
            logger.info("experiment requeued after a restart", metadata: ["experiment": "\(record.id)"])
        }
    }

    func event(_ id: String, _ kind: String, _ line: String) {
        do {
            try store.appendEvent(id: id, kind: kind, line: line, at: now)
        } catch {
            logger.error("cannot write an event", metadata: ["experiment": "\(id)", "error": "\(error)"])
        }
    }

    func notFound(_ id: String) -> WireError {
        WireError(.notFound, "no experiment or sweep \(id); `distembed list` shows them")
    }
}
