import Core
import Foundation
import Wire

/// Answers to the CLI: status, list, watch, results.
extension CoordinatorServer {
    func summary(of id: String) throws -> ExperimentSummary {
        if let sweep = try store.sweep(id: id) { return try summary(of: sweep) }
        guard let record = try store.experiment(id: id) else { throw notFound(id) }
        return try summary(of: record)
    }

    func summary(of record: ExperimentRecord) throws -> ExperimentSummary {
        var s = ExperimentSummary(
            id: record.id, name: record.name, state: Wire.ExperimentState(record.state),
            createdAt: record.createdAt, startedAt: record.startedAt ?? 0, finishedAt: record.finishedAt ?? 0,
            message: record.error ?? "")
        s.sweepId = record.sweepId ?? ""
        if let spec = try? ExperimentSpec.parse(json: record.specJSON, limits: .maximum) {
            s.seed = spec.seed
            s.epochs = UInt32(spec.training.epochs)
            s.stepsPerEpoch = UInt32(TrainingSchedule(spec: spec, sampleCount: spec.dataset.trainLimit).stepsPerEpoch)
        }
        if record.state == .queued && record.minWorkers > workers.count {
            s.message = "waiting for \(record.minWorkers) workers (\(workers.count) connected)"
        }
        if let run, run.id == record.id {
            s.epoch = UInt32(run.training.epoch)
            s.step = UInt32(run.training.step)
            s.stepsPerEpoch = UInt32(run.training.schedule.stepsPerEpoch)
            s.workers = UInt32(scheduler.readyCount)
            let stats = run.training.epochStats
            if stats.count > 0 {
                s.loss = stats.lossSum / Double(stats.count)
                s.accuracy = Double(stats.correct) / Double(stats.count)
            }
            let elapsed = now - run.trainingStartedAt
            if run.trainingStarted && elapsed > 0 {
                s.samplesPerSecond = Double(run.samplesTrained) / elapsed
            }
            if waiting != nil { s.message = "waiting for workers" }
        } else if let last = try store.epochs(id: record.id).last {
            s.epoch = UInt32(last.epoch)
            s.loss = last.loss
            s.accuracy = last.accuracy
        }
        if evaluation?.experimentId == record.id { s.message = "evaluating the trained weights" }
        if let outcome = unsavedOutcomes[record.id] {
            s.state = Wire.ExperimentState(outcome.state)
            s.finishedAt = outcome.finishedAt
            s.message = outcome.error ?? ""
        }
        return s
    }

    /// The most experiments in one `list` reply: with names and messages capped, a page stays far below the
    /// message limit however many experiments the store holds.
    static let listPageSize = 500

    /// One page of the experiments, oldest first.
    func page(_ request: ListRequest) throws -> ListReply {
        var after: Int64 = 0
        if !request.afterId.isEmpty {
            guard let record = try store.experiment(id: request.afterId) else { throw notFound(request.afterId) }
            after = record.sequence
        }
        let limit = request.limit == 0 ? Self.listPageSize : min(Int(request.limit), Self.listPageSize)
        // One more than the page, to know whether more follow.
        let records = try store.experiments(after: after, limit: limit + 1)
        return ListReply(experiments: try records.prefix(limit).map { try summary(of: $0) }, more: records.count > limit)
    }

    func watch(_ request: WatchRequest) throws -> WireMessage {
        let s = try summary(of: request.experimentId)
        let events = try store.events(id: request.experimentId, after: Int64(clamping: request.afterSequence)).map {
            WatchEvent(sequence: UInt64($0.sequence), time: $0.time, line: $0.line)
        }
        return .watchReply(WatchReply(summary: s, events: events))
    }

    func results(_ id: String) throws -> WireMessage {
        if let sweep = try store.sweep(id: id) { return try results(of: sweep) }
        guard let record = try store.experiment(id: id) else { throw notFound(id) }
        let outcome = unsavedOutcomes[id]
        guard let json = outcome?.resultJSON ?? record.resultJSON else {
            let state = (outcome?.state ?? record.state).rawValue
            let error = outcome?.error ?? record.error
            throw WireError(.notFound, "experiment \(id) is \(state)\(error.map { ": \($0)" } ?? ""); "
                + "results exist once it is done")
        }
        return .resultsReply(ResultsReply(resultJSON: json))
    }
}

extension Wire.ExperimentState {
    init(_ state: ExperimentState) {
        switch state {
        case .queued: self = .queued
        case .running: self = .running
        case .done: self = .done
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }
}
