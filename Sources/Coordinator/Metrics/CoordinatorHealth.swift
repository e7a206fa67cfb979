import Foundation

/// What the probes see: `/healthz` (liveness) and `/readyz` (readiness). The coordinator's thread reports its
/// progress here; the HTTP server's event loop reads it.
///
/// Alive while starting (loading the dataset can take a while and must not get the process restarted) and while
/// its loop runs; dead once the loop has not come round for ``stallLimit`` or the coordinator is stopping.
/// Ready once the store is open and the ZeroMQ endpoints are bound, and the loop runs.
final class CoordinatorHealth: @unchecked Sendable {
    /// A loop that has not come round for this long is stuck (a step's reduction and Adam take milliseconds;
    /// the final evaluation a second or two).
    static let stallLimit: Duration = .seconds(30)

    /// A probe's answer: 200 when `ok`, 503 otherwise, with `reason` as the body.
    struct Answer {
        var ok: Bool
        var reason: String
    }

    private enum Phase {
        case starting
        case serving
        case stopped
    }

    private let lock = NSLock()
    private var phase = Phase.starting
    private var lastLoop: ContinuousClock.Instant?

    /// The store is open and the endpoints are bound.
    func markServing() {
        lock.withLock { phase = .serving }
    }

    /// The coordinator's loop came round.
    func loopRan(at now: ContinuousClock.Instant = .now) {
        lock.withLock { lastLoop = now }
    }

    /// The loop has ended; the process is on its way out.
    func markStopped() {
        lock.withLock { phase = .stopped }
    }

    func liveness(at now: ContinuousClock.Instant = .now) -> Answer {
        let (phase, last) = lock.withLock { (self.phase, lastLoop) }
        switch phase {
        case .stopped:
            return Answer(ok: false, reason: "stopping")
        case .starting, .serving:
            if let last, now - last > Self.stallLimit {
                return Answer(ok: false, reason: "the coordinator loop has not run for \(now - last)")
            }
            return Answer(ok: true, reason: last == nil ? "starting" : "ok")
        }
    }

    func readiness(at now: ContinuousClock.Instant = .now) -> Answer {
        let (phase, last) = lock.withLock { (self.phase, lastLoop) }
        switch phase {
        case .starting:
            return Answer(ok: false, reason: "starting: loading the dataset, opening the store, binding endpoints")
        case .stopped:
            return Answer(ok: false, reason: "stopping")
        case .serving:
            guard last != nil else { return Answer(ok: false, reason: "starting: the loop has not run yet") }
            let live = liveness(at: now)
            return live.ok ? Answer(ok: true, reason: "ready") : live
        }
    }
}
