import Core

/// A worker as the coordinator numbers it.
public typealias WorkerID = UInt64

/// Which weights a piece of work is for: results are matched to assignments by this and the worker.
public struct StepKey: Hashable, Sendable, CustomStringConvertible {
    public var epoch: Int
    public var step: Int
    /// The number of optimizer steps taken before this step: the weights' version.
    public var version: UInt64

    public init(epoch: Int, step: Int, version: UInt64) {
        self.epoch = epoch
        self.step = step
        self.version = version
    }

    public var description: String { "epoch \(epoch + 1) step \(step + 1)" }
}

/// What the shell must do after an event.
public enum Directive: Equatable, Sendable {
    /// Send the worker the current weights and chunks `run` of the step.
    case assign(WorkerID, StepKey, run: Range<Int>)
    /// Forget the worker: it stopped answering or missed its deadline. Its chunks have been dealt again.
    case drop(WorkerID, reason: String)
    /// Every chunk of the step is in: complete the tree, step the optimizer.
    case stepComplete(StepKey)
    /// No worker can take the step's remaining chunks; work resumes when one is ready.
    case waiting(String)
}

/// The coordinator's decisions about workers and chunks, with no I/O: every event returns the directives the
/// shell carries out, so reassignment, timeouts and late results are unit-tested with a fake clock.
///
/// Each worker holds at most one assignment: a contiguous run of the step's chunks. At the start of a step the
/// chunks are cut into one run per ready worker; a run whose worker is lost goes back to the pending list and to
/// the next worker that is free. Any split gives the same bits (``ChunkTree``), so dealing is free to change.
public struct Scheduler: Sendable {
    public struct Options: Sendable {
        /// Drop a worker not heard from for this long (seconds).
        public var heartbeatTimeout: Double
        /// Drop a worker whose result is this late (seconds).
        public var resultTimeout: Double
        /// Drop a worker that has not answered an experiment's setup after this long (seconds): it would hold
        /// back the first step of every worker.
        public var setupTimeout: Double
        /// When set, cut points and the worker order are drawn from this seed (a debug option: the weights
        /// must not change).
        public var shuffleSeed: UInt64?
        /// Keys the draw of which runs are audited: random by default, so that a worker cannot tell which of
        /// its results will be checked.
        public var auditKey: UInt64

        public init(
            heartbeatTimeout: Double = CoordinatorOptions.defaults.heartbeatTimeout,
            resultTimeout: Double = CoordinatorOptions.defaults.resultTimeout,
            setupTimeout: Double = CoordinatorOptions.defaults.setupTimeout,
            shuffleSeed: UInt64? = nil, auditKey: UInt64 = .random(in: .min ... .max)
        ) {
            self.auditKey = auditKey
            self.heartbeatTimeout = heartbeatTimeout
            self.resultTimeout = resultTimeout
            self.setupTimeout = setupTimeout
            self.shuffleSeed = shuffleSeed
        }
    }

    struct Worker: Sendable {
        var name: String
        var lastSeen: Double
        var ready: Bool
        /// When the running experiment's setup was sent, while it is unanswered.
        var setupSentAt: Double?
        var assignment: Assignment?
    }

    struct Assignment: Sendable, Equatable {
        var key: StepKey
        var run: Range<Int>
        var sentAt: Double
        /// The workers whose results for `run` this one computes again: one for an audit, two for a tie-break;
        /// none for a run's first computation.
        var checks: [WorkerID] = []
    }

    /// A run to compute again, and the workers whose results it checks.
    struct Recomputation: Sendable, Equatable {
        var run: Range<Int>
        var checks: [WorkerID]
    }

    struct StepState: Sendable {
        var key: StepKey
        var chunkCount: Int
        var pending: [Range<Int>]
        var outstanding: Int
        /// The share of runs audited (``Recomputation``).
        var auditFraction: Double
        var recomputations: [Recomputation] = []

        var isComplete: Bool { outstanding == 0 && pending.isEmpty && recomputations.isEmpty }
    }

    public let options: Options
    private(set) var workers: [WorkerID: Worker] = [:]
    private(set) var current: StepState?
    private var shuffle: SplitMix64?
    /// Chunks of the running experiment dealt again after a worker was lost.
    public private(set) var reassignedChunks = 0
    /// Runs of the running experiment that a second worker computed again (``Recomputation``).
    public private(set) var auditedRuns = 0

    public init(options: Options = Options()) {
        self.options = options
        self.shuffle = options.shuffleSeed.map(SplitMix64.init)
    }

    /// Workers in id order, so dealing never depends on dictionary order.
    public var workerIDs: [WorkerID] { workers.keys.sorted() }
    public var readyCount: Int { workers.values.filter(\.ready).count }
    public var stepInProgress: StepKey? { current?.key }
    /// Whether a worker has not answered the running experiment's setup yet (the first step waits for them all).
    public var setupsPending: Bool { workers.values.contains { $0.setupSentAt != nil } }

    /// The ready workers, in id order.
    public var readyWorkerIDs: [WorkerID] { readyIDs() }

    /// Drops the step in progress and every assignment of it (a sharded group rolled back: its results are void).
    public mutating func abandonStep() {
        for id in workerIDs { workers[id]?.assignment = nil }
        current = nil
    }

    /// A worker said hello; it gets work once ``workerReady(_:at:)`` says it has the experiment.
    public mutating func workerJoined(_ id: WorkerID, name: String, at now: Double) {
        workers[id] = Worker(name: name, lastSeen: now, ready: false, assignment: nil)
    }

    /// The running experiment's setup went to the worker; it must answer within ``Options/setupTimeout``.
    public mutating func setupSent(to id: WorkerID, at now: Double) {
        workers[id]?.ready = false
        workers[id]?.setupSentAt = now
    }

    /// The worker could not set up the experiment: it stays connected, without work, until the next one.
    public mutating func setupFailed(_ id: WorkerID, at now: Double) -> [Directive] {
        guard var worker = workers[id] else { return [] }
        worker.ready = false
        worker.setupSentAt = nil
        let assignment = worker.assignment
        worker.assignment = nil
        workers[id] = worker
        return redeal(assignment, at: now)
    }

    /// Any message from a worker proves it alive.
    public mutating func heard(from id: WorkerID, at now: Double) {
        workers[id]?.lastSeen = now
    }

    /// A new experiment: nobody has it set up yet, and no step is in progress.
    public mutating func experimentStarted() {
        forgetExperiment()
        reassignedChunks = 0
        auditedRuns = 0
    }

    /// The experiment ended: forget the step and the setups (``reassignedChunks`` stays for its result).
    public mutating func experimentEnded() {
        forgetExperiment()
    }

    private mutating func forgetExperiment() {
        for id in workerIDs {
            workers[id]?.ready = false
            workers[id]?.setupSentAt = nil
            workers[id]?.assignment = nil
        }
        current = nil
    }

    /// The worker has set up the running experiment and can take chunks.
    public mutating func workerReady(_ id: WorkerID, at now: Double) -> [Directive] {
        guard workers[id] != nil else { return [] }
        workers[id]!.ready = true
        workers[id]!.setupSentAt = nil
        workers[id]!.lastSeen = now
        return dealPending(at: now)
    }

    /// The worker left (said goodbye, failed its setup, or the shell lost it). Its chunks are dealt again.
    public mutating func workerLost(_ id: WorkerID, at now: Double) -> [Directive] {
        guard let worker = workers.removeValue(forKey: id) else { return [] }
        return redeal(worker.assignment, at: now)
    }

    /// Puts a lost assignment's chunks back on the step's pending list (or its recomputation back on that list)
    /// and deals them.
    private mutating func redeal(_ assignment: Assignment?, at now: Double) -> [Directive] {
        guard let assignment, var step = current, assignment.key == step.key else { return [] }
        if !assignment.checks.isEmpty {
            step.recomputations.append(Recomputation(run: assignment.run, checks: assignment.checks))
            step.outstanding -= 1
            current = step
            return dealPending(at: now)
        }
        step.pending.append(assignment.run)
        step.outstanding -= 1
        reassignedChunks += assignment.run.count
        current = step
        return dealPending(at: now)
    }

    /// Starts a step of `chunkCount` chunks: one contiguous run per ready worker. About `auditFraction` of the
    /// runs are computed again by a second worker once their result is in (``checks(of:key:run:)``).
    /// - Parameter everyWorker: deal every ready worker a run, empty when there are more workers than chunks (a
    ///   sharded group's members all take part in each step); otherwise at most one worker per chunk.
    public mutating func beginStep(
        _ key: StepKey, chunkCount: Int, auditFraction: Double = 0, everyWorker: Bool = false, at now: Double
    ) -> [Directive] {
        let ready = readyIDs()
        let runs = cut(chunkCount, into: max(1, everyWorker ? ready.count : min(ready.count, chunkCount)))
        current = StepState(
            key: key, chunkCount: chunkCount, pending: runs.reversed(), outstanding: 0, auditFraction: auditFraction)
        return dealPending(at: now)
    }

    /// The workers whose results the current assignment of `id` computes again (one for an audit, two for a
    /// tie-break), when the result for `key` and `run` answers it; empty for a first computation; nil when the
    /// result answers no assignment of `id` (late or duplicate).
    public func checks(of id: WorkerID, key: StepKey, run: Range<Int>) -> [WorkerID]? {
        guard let a = workers[id]?.assignment, a.key == key, a.run == run, current?.key == key else { return nil }
        return a.checks
    }

    /// Two workers computed different bits for `run`: a third, when one is ready, computes it again to tell which
    /// is wrong (its result comes with those two ``checks(of:key:run:)``). Returns false when no third worker is
    /// ready: nobody can tell. Call it before ``resultArrived(from:key:run:at:)`` of the disagreeing result.
    public mutating func disputed(_ run: Range<Int>, between pair: [WorkerID]) -> Bool {
        guard var step = current, readyIDs().contains(where: { !pair.contains($0) }) else { return false }
        step.recomputations.append(Recomputation(run: run, checks: pair))
        current = step
        return true
    }

    /// A result came in. Returns whether it answers the worker's current assignment (a late or duplicate result
    /// does not, and must be ignored), and what to do next.
    public mutating func resultArrived(from id: WorkerID, key: StepKey, run: Range<Int>, at now: Double)
        -> (accepted: Bool, directives: [Directive])
    {
        guard var worker = workers[id], let assignment = worker.assignment, assignment.key == key,
            assignment.run == run, var step = current, step.key == key
        else { return (false, []) }
        worker.assignment = nil
        worker.lastSeen = now
        workers[id] = worker
        step.outstanding -= 1
        if assignment.checks.isEmpty && !run.isEmpty && audits(run, at: key, fraction: step.auditFraction)
            && readyIDs().contains(where: { $0 != id })
        {
            step.recomputations.append(Recomputation(run: run, checks: [id]))
            auditedRuns += 1
        }
        current = step
        if step.isComplete {
            current = nil
            return (true, [.stepComplete(key)])
        }
        return (true, dealPending(at: now))
    }

    /// Timeouts: workers silent too long, or too late with a result, are dropped and their chunks dealt again.
    public mutating func tick(at now: Double) -> [Directive] {
        var directives: [Directive] = []
        for id in workerIDs {
            guard let worker = workers[id] else { continue }
            var reason: String?
            if now - worker.lastSeen > options.heartbeatTimeout {
                reason = "no message for \(Int(now - worker.lastSeen)) s (heartbeat timeout "
                    + "\(Int(options.heartbeatTimeout)) s)"
            } else if let a = worker.assignment, now - a.sentAt > options.resultTimeout {
                reason = "no result for \(a.key) after \(Int(now - a.sentAt)) s (result timeout "
                    + "\(Int(options.resultTimeout)) s)"
            } else if let sent = worker.setupSentAt, now - sent > options.setupTimeout {
                reason = "no answer to the experiment's setup after \(Int(now - sent)) s (setup timeout "
                    + "\(Int(options.setupTimeout)) s)"
            }
            if let reason {
                directives.append(.drop(id, reason: reason))
                directives += workerLost(id, at: now)
            }
        }
        return directives
    }

    private func readyIDs() -> [WorkerID] {
        workerIDs.filter { workers[$0]!.ready }
    }

    /// Whether the first result for `run` at `key` is audited: a draw keyed by ``Options/auditKey``, the step
    /// and the run, so it does not depend on timing, and no worker can predict it.
    private func audits(_ run: Range<Int>, at key: StepKey, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        var mix = SplitMix64(
            options.auditKey ^ key.version &* 0x1_0000_0001 ^ UInt64(run.lowerBound) << 32 ^ UInt64(run.upperBound))
        _ = mix.next()
        return Double(mix.next() >> 11) / Double(1 << 53) < fraction
    }

    /// Gives pending runs to free ready workers, then recomputations to free workers whose results they do not
    /// check; says so when nobody can take the pending runs.
    private mutating func dealPending(at now: Double) -> [Directive] {
        guard var step = current, !step.pending.isEmpty || !step.recomputations.isEmpty else { return [] }
        var free = readyIDs().filter { workers[$0]!.assignment == nil }
        if var rng = shuffle {
            free = rng.shuffled(free)
            shuffle = rng
        }
        var directives: [Directive] = []
        var left: [WorkerID] = []
        for id in free {
            guard let run = step.pending.popLast() else {
                left.append(id)
                continue
            }
            workers[id]!.assignment = Assignment(key: step.key, run: run, sentAt: now)
            step.outstanding += 1
            directives.append(.assign(id, step.key, run: run))
        }
        for id in left {
            guard let k = step.recomputations.firstIndex(where: { !$0.checks.contains(id) }) else { continue }
            let r = step.recomputations.remove(at: k)
            workers[id]!.assignment = Assignment(key: step.key, run: r.run, sentAt: now, checks: r.checks)
            step.outstanding += 1
            directives.append(.assign(id, step.key, run: r.run))
        }
        // A recomputation only workers it checks could take is dropped once no other worker is ready.
        let ready = readyIDs()
        step.recomputations.removeAll { r in !ready.contains { !r.checks.contains($0) } }
        current = step
        if step.isComplete {
            current = nil
            return directives + [.stepComplete(step.key)]
        }
        if step.outstanding == 0 && !step.pending.isEmpty {
            directives.append(.waiting("no worker is ready for \(step.key); waiting for one to connect"))
        }
        return directives
    }

    /// `0..<count` in `parts` contiguous runs, non-empty unless there are more parts than chunks: balanced, or at
    /// random cut points when shuffling.
    private mutating func cut(_ count: Int, into parts: Int) -> [Range<Int>] {
        var bounds: [Int]
        if var rng = shuffle, parts > 1, parts <= count {
            var cuts = Set<Int>()
            while cuts.count < parts - 1 { cuts.insert(1 + Int(rng.next() % UInt64(count - 1))) }
            bounds = [0] + cuts.sorted() + [count]
            shuffle = rng
        } else {
            bounds = (0...parts).map { $0 * count / parts }
        }
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }
    }
}

/// A small seeded generator for the debug shuffle (never used for anything the weights depend on).
struct SplitMix64: Sendable {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var a = items
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(next() % UInt64(i + 1))) }
        return a
    }
}
