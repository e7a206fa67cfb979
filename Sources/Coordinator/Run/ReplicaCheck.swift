/// Which steps' results must carry the digest of the weights they were computed with, and which worker processes
/// sent digests that differed from the coordinator's (Docs/Determinism.md, "Replicas that agree").
///
/// Workers keep no weights between steps: every assignment carries them, in the message or in shared memory, so a
/// replica is the copy a worker computes one step with. A digest that differs means that copy was not the
/// coordinator's weights (memory or transport corruption on the worker's side); the result is refused before its
/// gradient is used and the worker dropped. A process that does it ``maxStrikes`` times is refused when it says
/// hello again: its host is suspect, and it would otherwise be dropped and rejoin for ever.
public struct ReplicaCheck {
    /// Check every `interval`-th step of the run (counting all epochs' steps from 0) and the last step of every
    /// epoch; 0: never.
    public let interval: Int
    /// Mismatches by worker process (host and process id): a restarted worker is a new process and starts clean.
    private var strikes: [Process: Int] = [:]

    /// A worker process, as its hello named it.
    public struct Process: Hashable, Sendable {
        public var host: String
        public var pid: Int32

        public init(host: String, pid: Int32) {
            self.host = host
            self.pid = pid
        }
    }

    /// Mismatches after which a worker process is refused.
    public static let maxStrikes = 3
    /// The most processes remembered: a peer names its own host and pid, so the table is bounded. When it is full,
    /// the processes not yet refused are forgotten first.
    public static let maxRemembered = 1024

    /// How many processes are remembered.
    public var rememberedCount: Int { strikes.count }

    public init(interval: Int) {
        self.interval = interval
    }

    /// Whether results of step `step` (of `stepsPerEpoch`) in `epoch` must carry their weights' digest.
    public func checks(epoch: Int, step: Int, stepsPerEpoch: Int) -> Bool {
        guard interval > 0 else { return false }
        return (epoch * stepsPerEpoch + step) % interval == 0 || step == stepsPerEpoch - 1
    }

    /// Counts a mismatch of `process`; returns how many it has had.
    public mutating func recordMismatch(of process: Process) -> Int {
        if strikes[process] == nil, strikes.count >= Self.maxRemembered {
            strikes = strikes.filter { $0.value >= Self.maxStrikes }
            if strikes.count >= Self.maxRemembered, let any = strikes.keys.first { strikes[any] = nil }
        }
        let count = strikes[process, default: 0] + 1
        strikes[process] = count
        return count
    }

    /// Whether `process` has had ``maxStrikes`` mismatches and may not join again.
    public func isBarred(_ process: Process) -> Bool {
        strikes[process, default: 0] >= Self.maxStrikes
    }
}
