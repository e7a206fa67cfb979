import Core
import Foundation
import Wire

/// Follows an experiment: prints its events (epoch lines, workers joining or lost) to stderr as they come,
/// and, on a terminal, a progress line redrawn in place.
struct Watcher {
    let client: CoordinatorClient
    let id: String
    var interval: Duration = .milliseconds(100)
    /// Called between polls; return true to stop following (e.g. a child process died).
    var shouldAbort: () -> Bool = { ShutdownSignal.isRequested }

    /// Returns the experiment's summary once it is done, failed or cancelled.
    func follow() throws -> ExperimentSummary {
        var after: UInt64 = 0
        let live = isatty(2) == 1
        while true {
            guard case .watchReply(let reply) = try client.request(
                .watchRequest(WatchRequest(experimentId: id, afterSequence: after)))
            else { throw CLIError("unexpected reply to watch") }
            if live { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) }
            for event in reply.events {
                Console.info(event.line)
                after = max(after, event.sequence)
            }
            let s = reply.summary
            if [.done, .failed, .cancelled].contains(s.state) { return s }
            if live && s.state == .running { FileHandle.standardError.write(Data(ProgressLine.text(s).utf8)) }
            if shouldAbort() { throw CLIError("stopped following \(id)") }
            Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18
                         + Double(interval.components.seconds))
        }
    }
}

/// `epoch 3/20 [=====>    ] step 120/313  9,800 samples/s  loss 0.5123  acc 0.81  ETA 14 s`.
enum ProgressLine {
    static func text(_ s: ExperimentSummary) -> String {
        let epochs = max(Int(s.epochs), 1)
        let steps = max(Int(s.stepsPerEpoch), 1)
        let done = Double(Int(s.epoch) * steps + Int(s.step)) / Double(epochs * steps)
        let width = 20
        let filled = Int(done * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1))
        var line = "epoch \(min(Int(s.epoch) + 1, epochs))/\(epochs) [\(bar)] step \(s.step)/\(steps)"
        if s.samplesPerSecond > 0 {
            line += String(format: "  %.0f samples/s  loss %.4f  acc %.3f", s.samplesPerSecond, s.loss, s.accuracy)
            let remaining = (1 - done) * Double(epochs * steps) * 32 / s.samplesPerSecond
            line += String(format: "  ETA %.0f s", remaining)
        }
        if !s.message.isEmpty { line += "  (\(s.message))" }
        return line
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
                + pad("\(s.epoch)/\(s.epochs)", 9) + pad(s.loss > 0 ? String(format: "%.4f", s.loss) : "-", 8)
                + pad(s.accuracy > 0 ? String(format: "%.4f", s.accuracy) : "-", 10) + s.message)
        }
        return lines.joined(separator: "\n")
    }
}
