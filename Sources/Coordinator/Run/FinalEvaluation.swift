import Core
import Foundation
import Synchronization

/// A trained experiment's evaluation (embeddings after training, the losses, the held-out measures, the
/// artifacts), on a thread of its own. For a large model or test set it takes seconds; on the coordinator's loop it
/// kept clients and workers unanswered that long, and `submit --wait` gave up on a coordinator that was only busy.
///
/// The run is handed over: nothing else touches it once the evaluation starts. The loop polls ``outcome``.
final class FinalEvaluation: Sendable {
    let experimentId: String
    private let finished = Mutex<ExperimentOutcome?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts evaluating `run`, whose training ended at `finishedAt` with `events`; the artifacts go to
    /// `artifactsFolder`.
    init(run: ExperimentRun, workers: Int, events: TrainingEvents, artifactsFolder: String, finishedAt: Double) {
        experimentId = run.id
        let handover = Handover(run: run)
        let thread = Thread { [self] in
            let outcome = Self.outcome(
                of: handover.run, workers: workers, events: events, artifactsFolder: artifactsFolder,
                finishedAt: finishedAt)
            finished.withLock { $0 = outcome }
            done.signal()
        }
        thread.name = "evaluation \(run.id)"
        thread.start()
    }

    /// How the experiment ended, once the evaluation is over; nil until then.
    var outcome: ExperimentOutcome? {
        finished.withLock { $0 }
    }

    /// Waits up to `seconds` for the evaluation; returns its outcome, or nil when it is still going.
    func wait(seconds: Double) -> ExperimentOutcome? {
        _ = done.wait(timeout: .now() + seconds)
        return outcome
    }

    /// `done` with the result, or `failed` when it cannot be completed.
    private static func outcome(
        of run: ExperimentRun, workers: Int, events: TrainingEvents, artifactsFolder: String, finishedAt: Double
    ) -> ExperimentOutcome {
        do {
            var (result, artifacts) = try run.result(workers: workers)
            try artifacts.write(to: artifactsFolder)
            result.events = events
            result.stepTimings = run.timings
            return ExperimentOutcome(
                state: .done, finishedAt: finishedAt,
                resultJSON: try String(decoding: ResultJSON.encoder.encode(result), as: UTF8.self),
                weights: run.training.weights, weightsSha256: result.weightsSha256)
        } catch {
            return ExperimentOutcome(state: .failed, finishedAt: finishedAt, error: "cannot complete the result: \(error)")
        }
    }
}

/// The run, moved to the evaluation's thread: the loop has let go of it (``CoordinatorServer``'s `endRun`).
private struct Handover: @unchecked Sendable {
    let run: ExperimentRun
}
