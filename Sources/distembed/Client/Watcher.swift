import Core
import Foundation
import Wire

/// Follows an experiment: prints its events (epoch lines, workers joining or lost) to stderr as they come,
/// and, on a terminal, a progress line redrawn in place. Its requests ride out a coordinator restart for as long
/// as the client's ``CoordinatorClient/patience``.
struct Watcher {
    let client: CoordinatorClient
    let id: String
    var interval: Duration = .milliseconds(100)
    /// Called between polls; return true to stop following (e.g. a child process died).
    var shouldAbort: () -> Bool = { ShutdownSignal.isRequested }

    /// Returns the experiment's summary once it is done, failed or cancelled.
    func follow() throws -> ExperimentSummary {
        var after: UInt64 = 0
        while true {
            guard case .watchReply(let reply) = try client.query(
                .watchRequest(WatchRequest(experimentId: id, afterSequence: after)))
            else { throw CLIError.unexpectedReply(to: "watch") }
            Console.eraseProgress()
            for event in reply.events {
                Console.info(event.line)
                after = max(after, event.sequence)
            }
            let s = reply.summary
            if [.done, .failed, .cancelled].contains(s.state) { return s }
            if s.state == .running { Console.progress(ProgressLine(s)) }
            if shouldAbort() { throw CLIError(.interrupted, "stopped following \(id)") }
            Thread.sleep(forTimeInterval: interval.seconds)
        }
    }
}

extension ProgressLine {
    /// The progress of a running experiment.
    init(_ s: ExperimentSummary) {
        self.init(
            epoch: Int(s.epoch), epochs: Int(s.epochs), step: Int(s.step), stepsPerEpoch: Int(s.stepsPerEpoch),
            samplesPerSecond: s.samplesPerSecond, loss: s.loss, accuracy: s.accuracy, note: s.message)
    }
}

/// An experiment summary as JSON.
struct SummaryJSON: Encodable {
    var id, name, state, message: String
    var createdAt, startedAt, finishedAt, samplesPerSecond, loss, accuracy: Double
    var epoch, epochs, step, stepsPerEpoch, workers: UInt32
    /// The sweep the experiment belongs to, and its seed; absent outside a sweep.
    var sweepId: String?
    var seed: UInt64?
    /// A sweep's experiments, when the summary is a whole sweep's.
    var experiments: [SummaryJSON]?

    init(_ s: ExperimentSummary) {
        id = s.id
        name = s.name
        state = s.state.description
        message = s.message
        createdAt = s.createdAt
        startedAt = s.startedAt
        finishedAt = s.finishedAt
        samplesPerSecond = s.samplesPerSecond
        loss = s.loss
        accuracy = s.accuracy
        epoch = s.epoch
        epochs = s.epochs
        step = s.step
        stepsPerEpoch = s.stepsPerEpoch
        workers = s.workers
        if !s.sweepId.isEmpty {
            sweepId = s.sweepId
            seed = s.seed
        }
        if s.isSweep { experiments = s.sweepExperiments.map(SummaryJSON.init) }
    }
}

/// `list` and `status` as a table.
enum SummaryTable {
    static func text(_ list: [ExperimentSummary]) -> String {
        var lines = ["ID        NAME              STATE      EPOCH    LOSS    ACCURACY  MESSAGE"]
        for s in SweepTable.collapsed(list) {
            func pad(_ t: String, _ n: Int) -> String { t.count >= n ? t + " " : t + String(repeating: " ", count: n - t.count) }
            lines.append(pad(s.id, 10) + pad(s.name, 18) + pad(s.state.description, 11)
                + pad(s.epochs > 0 ? "\(s.epoch)/\(s.epochs)" : "-", 9)
                + pad(s.loss > 0 ? String(format: "%.4f", s.loss) : "-", 8)
                + pad(s.accuracy > 0 ? String(format: "%.4f", s.accuracy) : "-", 10) + s.message)
        }
        return lines.joined(separator: "\n")
    }
}
