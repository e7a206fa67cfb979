import Core
import Foundation
import Wire

/// Follows a sweep: each experiment's events (state changes, epoch lines) to stderr prefixed with its seed, once it
/// has left the queue, and on a terminal the running experiment's progress line redrawn in place. Its requests ride
/// out a coordinator restart for as long as the client's ``CoordinatorClient/patience``.
struct SweepWatcher {
    let client: CoordinatorClient
    let id: String
    var interval: TimeInterval = 0.2
    /// Called between polls; return true to stop following (e.g. a child process died).
    var shouldAbort: () -> Bool = { ShutdownSignal.isRequested }

    /// Returns the sweep's summary, with its experiments', once every experiment has ended.
    func follow() throws -> ExperimentSummary {
        var states: [String: Wire.ExperimentState] = [:]
        var after: [String: UInt64] = [:]
        while true {
            let sweep = try SweepStatus.fetch(client: client, id: id)
            Console.eraseProgress()
            // An experiment that ran and ended between two polls still gets its events.
            for s in sweep.sweepExperiments
            where s.state == .running || (s.state != .queued && states[s.id] != s.state) {
                try printEvents(of: s, after: &after)
                states[s.id] = s.state
            }
            if sweep.state.isFinal { return sweep }
            if let running = sweep.sweepExperiments.first(where: { $0.state == .running }) {
                Console.progress(ProgressLine(running), prefix: "seed \(running.seed)  ")
            }
            if shouldAbort() { throw CLIError(.interrupted, "stopped following \(id)") }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    private func printEvents(of s: ExperimentSummary, after: inout [String: UInt64]) throws {
        guard case .watchReply(let reply) = try client.query(
            .watchRequest(WatchRequest(experimentId: s.id, afterSequence: after[s.id] ?? 0)))
        else { throw CLIError.unexpectedReply(to: "watch") }
        for event in reply.events {
            if !event.line.hasPrefix("queued") { Console.info("seed \(s.seed) (\(s.id)): \(event.line)") }
            after[s.id] = max(after[s.id] ?? 0, event.sequence)
        }
    }
}

/// Asking the coordinator about an id that may name a sweep.
enum SweepStatus {
    /// The status of `id`: a sweep's summary carries its experiments.
    static func fetch(client: CoordinatorClient, id: String) throws -> ExperimentSummary {
        guard case .statusReply(let s) = try client.query(.statusRequest(.init(experimentId: id))) else {
            throw CLIError.unexpectedReply(to: "status")
        }
        return s
    }
}

extension ExperimentSummary {
    /// Whether this is the summary of a whole sweep.
    var isSweep: Bool { !sweepExperiments.isEmpty }
}
