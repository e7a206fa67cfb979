import Core
import Foundation
import Logging
import Wire

/// The coordinator's shell: the ZeroMQ poll loop, the store and the clock. Decisions about workers and chunks
/// are the ``Scheduler``'s; the numbers of the running experiment are the ``ExperimentRun``'s. Use from one
/// thread: ``run(until:)`` blocks it.
public final class CoordinatorServer {
    public let options: CoordinatorOptions
    /// The bound endpoints (a `tcp://...:0` endpoint shows its port here).
    public var endpoints: [String] { router.endpoints }

    let logger: Logger
    let context: ZMQContext
    let router: RouterEndpoint
    /// Admits CURVE clients by public key; nil without CURVE.
    let zap: ZAPHandler?
    /// Logs the peers that fail the CURVE handshake before ZAP; nil without CURVE.
    let handshakes: HandshakeMonitor?
    let store: ExperimentStore
    /// The digests of the dataset files in `--data`, read at start, which every worker must hold too (no images:
    /// ``datasetForRun(_:)`` loads those).
    let catalog: DatasetCatalog
    var scheduler: Scheduler
    /// Serves the `--data` folder's files to workers that fetch them, from a thread of its own.
    let dataService: DataService
    /// The ROUTER's socket and the data service's replies, waited on together.
    private let poller: Poller
    var workers = WorkerRoster()
    var nextWorkerID: WorkerID = 1
    var run: ExperimentRun?
    var cancelRequested = false
    var waiting: Waiting?
    var counters = EventCounters()
    /// The sharded reduction's group and what waits for it.
    var sharding = ShardingState()
    /// Which steps' results carry their weights' digest, and the worker processes whose digests differed.
    var replicaCheck: ReplicaCheck
    /// Replies that could not be sent, counted so that they are not logged one by one.
    var undelivered = UndeliveredReplies(now: Date().timeIntervalSince1970)
    /// How experiments ended that the store could not take yet (a full disk), by id: answered from here and
    /// written again each second.
    var unsavedOutcomes: [String: ExperimentOutcome] = [:]
    /// The evaluation of the experiment that finished training last, while it runs.
    var evaluation: FinalEvaluation?
    private var lastOutcomeRetry = 0.0
    /// The experiment for which creating a shared segment failed last (so the warning is logged once).
    var sharedMemoryFailure: String?
    /// Encodes the assignments posted in workers' shared segments, into a reused buffer.
    let mailboxCodec = Codec()
    var mailboxBuffer: [UInt8] = []
    /// Metrics and probes over HTTP; nil without `metricsListen`.
    let telemetry: CoordinatorTelemetry?
    /// A helper thread for Adam's pass, which runs while every worker waits; nil on one CPU, where it could
    /// only take turns with this thread.
    let adamHelper: BlockPass? = ProcessInfo.processInfo.activeProcessorCount > 1 ? BlockPass() : nil
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let wallOrigin = Date().timeIntervalSince1970

    /// Opens the store, loads the dataset and binds the endpoints.
    /// - Throws: a message saying which of those failed and why.
    public init(options: CoordinatorOptions, logger: Logger = Logger(label: "distembed.coordinator")) throws {
        self.options = options
        self.replicaCheck = ReplicaCheck(interval: options.replicaCheckInterval)
        self.logger = logger
        try Self.checkSecurity(options, logger: logger)
        // First, so the probes answer while the dataset loads.
        let telemetry = try options.metricsListen.map { try CoordinatorTelemetry(listen: $0, logger: logger) }
        self.telemetry = telemetry
        // Digests only: each experiment loads the images it uses when it starts (``datasetForRun(_:)``).
        self.catalog = try DatasetCatalog(folder: options.dataFolder)
        self.store = try ExperimentStore(directory: options.storeDirectory)
        self.context = try ZMQContext()
        let (folder, names, pieceSize) = (options.dataFolder, catalog.files, options.dataPieceSize)
        self.dataService = try DataService(
            rate: options.serveDataRate, corruptPieces: options.corruptDataPieces, context: context, logger: logger,
            metrics: telemetry?.metrics,
            build: { try DatasetPieceSource(folder: folder, names: names, pieceSize: pieceSize) })
        self.zap = try Self.startAuthentication(options, context: context, logger: logger)
        self.router = try RouterEndpoint(context: context, bind: options.listen, options: Self.routerOptions(options))
        self.handshakes = try Self.startHandshakeMonitor(options, router: router, context: context, logger: logger)
        self.poller = Poller([router.socket] + (dataService.socket.map { [$0] } ?? []))
        self.scheduler = Scheduler(options: .init(
            heartbeatTimeout: options.heartbeatTimeout, resultTimeout: options.resultTimeout,
            setupTimeout: options.setupTimeout, shuffleSeed: options.shuffleSeed))
        self.origin = clock.now
        for name in SharedSegment.removeStale() {
            logger.info("removed a shared segment a stopped coordinator left", metadata: ["segment": "/dev/shm/\(name)"])
        }
        try recoverAfterRestart()
        telemetry?.health.markServing()
    }

    deinit {
        context.shutdown()
    }

    /// Seconds since the Unix epoch, from a monotonic clock.
    var now: Double {
        wallOrigin + (clock.now - origin).seconds
    }

    /// Serves until `shouldStop` returns true (checked every 50 ms at least).
    public func run(until shouldStop: () -> Bool) throws {
        logger.info("coordinator listening", metadata: ["endpoints": "\(endpoints.joined(separator: " "))"])
        defer { telemetry?.health.markStopped() }
        var lastTick = now
        while !shouldStop() {
            // While workers owe results in their mailboxes, sleep on those and look at the socket in between.
            let posting = workersAwaitingPostedResults
            var inbound: Inbound?
            do {
                let readable = try poller.poll(timeout: posting.isEmpty ? .milliseconds(50) : .zero)
                if readable.contains(1) { try relayDataReplies() }
                if readable.contains(0) { inbound = try router.receive(timeout: .zero) }
            } catch {
                if error.isContextTerminated { return }
                throw error
            }
            if let inbound { handle(inbound) }
            if !posting.isEmpty && !collectPostedResults(of: posting) && inbound == nil {
                waitForPostedResults(of: posting)
                collectPostedResults(of: workersAwaitingPostedResults)
            }
            if now - lastTick >= 0.1 {
                lastTick = now
                tick()
            }
        }
        storeOutcomesBeforeStopping()
        logger.info("coordinator stopping")
    }

    /// The loop's periodic work, every 0.1 s: timeouts, reports, outcomes the store could not take, the queue.
    /// Public for a harness that drives the handlers without the loop (the handler fuzzer).
    public func tick() {
        execute(scheduler.tick(at: now))
        dealPendingShardedStep()
        reportWaiting()
        reportUndelivered()
        storeEvaluatedOutcome()
        if !unsavedOutcomes.isEmpty && now - lastOutcomeRetry >= 1 {
            lastOutcomeRetry = now
            saveUnsavedOutcomes()
        }
        if run == nil { startNextExperiment() }
        telemetry?.loopRan(workers: workers.count, run: run, store: store, now: now)
    }

    private func handle(_ inbound: Inbound) {
        switch inbound {
        case .invalid(let peer, let requestId, let error):
            logger.warning("rejected a message", metadata: ["peer": "\(peer)", "error": "\(error)"])
            reply(.error(error), requestId: requestId, to: peer)
        case .message(let message):
            handle(message.envelope, from: message.peer)
        }
    }

    /// Handles one envelope from `peer`, a message or a post in its mailbox, and answers it. Public for a harness
    /// that drives the handlers without the loop (the handler fuzzer); the loop calls it for every message.
    public func handle(_ envelope: Envelope, from peer: PeerID) {
        let id = envelope.requestId
        do {
            if let answer = try dispatch(envelope, from: peer) {
                reply(answer, requestId: id, to: peer)
            }
        } catch let error as WireError {
            reply(.error(error), requestId: id, to: peer)
        } catch {
            logger.error("request failed", metadata: ["request": "\(envelope.message.name)", "error": "\(error)"])
            reply(.error(WireError(.internal, "\(envelope.message.name) failed: \(error)")), requestId: id, to: peer)
        }
    }

    /// Routes one message; returns the reply, if the message gets one now.
    private func dispatch(_ envelope: Envelope, from peer: PeerID) throws -> WireMessage? {
        switch envelope.message {
        case .hello(let hello): return try workerHello(hello, from: peer)
        case .heartbeat: return try workerHeartbeat(from: peer)
        case .goodbye(let goodbye): workerGoodbye(goodbye, from: peer); return nil
        case .setupAck(let ack): try setupAcknowledged(ack, from: peer); return nil
        case .workResult(let result): try workResult(result, from: peer); return nil
        case .submitRequest(let request): return try submit(request)
        case .statusRequest(let request): return .statusReply(try summary(of: request.experimentId))
        case .listRequest(let request): return .listReply(try page(request))
        case .watchRequest(let request): return try watch(request)
        case .resultsRequest(let request): return try results(request.experimentId)
        case .cancelRequest(let request): return try cancel(request.experimentId)
        case .dataManifestRequest, .dataPieceRequest: try forwardDataRequest(envelope, from: peer); return nil
        case .error(let error):
            logger.warning("a peer reported an error", metadata: [
                "peer": "\(peer)", "code": "\(error.code)", "error": "\(PrintableText.escaped(error.message))",
            ])
            if let id = workers.id(of: peer) { shardedMemberFailed(id, error: error) }
            return nil
        default:
            throw WireError(.badRequest, "the coordinator does not take \(envelope.message.name) messages")
        }
    }

    func reply(_ message: WireMessage, requestId: UInt64 = 0, to peer: PeerID) {
        do {
            try router.send(message, requestId: requestId, to: peer)
        } catch {
            guard undelivered.record(peer) else { return }
            logger.warning("could not send; further replies to this peer that cannot be sent are only counted",
                           metadata: ["message": "\(message.name)", "peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// Logs how many replies could not be sent since the last report (beyond each peer's first, logged then).
    func reportUndelivered() {
        guard let (replies, peers) = undelivered.report(at: now) else { return }
        logger.warning("replies not sent in the last minute: peers that do not read them, or gone", metadata: [
            "replies": "\(replies)", "peers": "\(peers)",
        ])
    }
}

/// An experiment that cannot go on until a worker is ready.
struct Waiting {
    var since: Double
    var reason: String
    var reported = false
}

/// Fault events of the running experiment, reported in its results.
struct EventCounters {
    var workersLost = 0
    var workersJoined = 0
    var resumes = 0
    var checkpoints = 0
    var checkpointSeconds = 0.0
    var auditMismatches = 0
    var replicaMismatches = 0
}
