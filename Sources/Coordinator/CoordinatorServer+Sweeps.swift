import Core
import Foundation
import Wire

/// Seed sweeps: one experiment per seed of one spec, queued together and run one after another, answered as a
/// whole by status, results and cancel.
extension CoordinatorServer {
    /// Queues the experiments ``admit(_:)`` made of `request`, one per seed, as a new sweep.
    func queueSweep(_ admitted: [AdmittedSpec], of request: SubmitRequest) throws -> WireMessage {
        let (sweep, experiments) = try store.insertSweep(
            name: admitted[0].spec.name, specJSONs: admitted.map(\.json), minWorkers: Int(request.minWorkers),
            at: now)
        for (record, seed) in zip(experiments, request.seeds) {
            try store.appendEvent(id: record.id, kind: "state", line: "queued (\(sweep.id), seed \(seed))", at: now)
        }
        logger.info("sweep queued", metadata: ["sweep": "\(sweep.id)", "experiments": "\(experiments.count)"])
        if run == nil { startNextExperiment() }
        return .submitReply(SubmitReply(
            experimentId: experiments[0].id, sweepId: sweep.id, experimentIds: experiments.map(\.id)))
    }

    /// The sweep as one summary (its state, and the running experiment's progress) with its experiments'.
    func summary(of sweep: SweepRecord) throws -> ExperimentSummary {
        let experiments = try store.experiments(inSweep: sweep.id).map { try summary(of: $0) }
        let state = SweepProgress(experiments.map(\.state))
        var s = experiments.first { $0.state == .running } ?? ExperimentSummary(
            id: sweep.id, name: sweep.name, state: state.state, createdAt: sweep.createdAt)
        s.id = sweep.id
        s.name = sweep.name
        s.state = state.state
        s.createdAt = sweep.createdAt
        s.startedAt = experiments.map(\.startedAt).filter { $0 > 0 }.min() ?? 0
        s.finishedAt = state.state.isFinal ? experiments.map(\.finishedAt).max() ?? 0 : 0
        s.seed = 0
        s.sweepId = ""
        s.message = state.counts
        s.sweepExperiments = experiments
        return s
    }

    /// A sweep's rows and statistics, over the experiments done so far.
    func results(of sweep: SweepRecord) throws -> WireMessage {
        let rows = try store.experiments(inSweep: sweep.id).map { record -> SweepResult.Row in
            if let json = record.resultJSON,
                let result = try? JSONDecoder().decode(TrainingResult.self, from: Data(json.utf8))
            {
                return SweepResult.Row(experimentId: record.id, result: result)
            }
            let seed = (try? ExperimentSpec.parse(json: record.specJSON, limits: .maximum))?.seed ?? 0
            return SweepResult.Row(seed: seed, experimentId: record.id, state: record.state.rawValue)
        }
        let result = SweepResult(sweepId: sweep.id, name: sweep.name, rows: rows)
        let json = String(decoding: try ResultJSON.encoder.encode(result), as: UTF8.self)
        return .resultsReply(ResultsReply(sweepResultJSON: json))
    }

    /// Cancels every experiment of the sweep: the queued ones first, so finishing the running one cannot start
    /// the next seed.
    func cancel(_ sweep: SweepRecord) throws -> WireMessage {
        let experiments = try store.experiments(inSweep: sweep.id)
        for record in experiments where record.state == .queued { _ = try cancel(record.id) }
        for record in experiments where record.state == .running { _ = try cancel(record.id) }
        return .cancelReply(try summary(of: sweep))
    }
}
