import Core
import Foundation
import Logging
import Wire

/// A worker process's loop: hello, then experiment setups and assignments from the coordinator, results back,
/// heartbeats in between. Reconnects by itself when the coordinator restarts or drops it.
public final class WorkerClient {
    public let options: WorkerOptions
    let logger: Logger
    /// The digests of the dataset files in the data folder, sent in every hello; with `--fetch-data`, taken once
    /// the set is fetched (``fetchDataset(until:)``).
    private(set) var catalog: DatasetCatalog?
    /// Set when the coordinator refused this worker's fetched set (it restarted with other data): fetch once more.
    private var refetchRequested = false
    private let context: ZMQContext
    private let connection: DealerConnection
    private var session: WorkerSession?
    /// With `--peer-listen`: the links to the members of this worker's sharded group, and its membership.
    private let peerLinks: PeerLinks?
    private var replica: ShardedReplica?
    /// Peer messages of a step not yet assigned here (a member is faster), kept until it is (``EarlyPeerMessages``).
    private var earlyPeerMessages = EarlyPeerMessages()
    private var peerComplaints = PeerComplaints()
    private let poller: Poller?
    /// The training images of the last experiment and the spec they were read for (its limits aside), reused when
    /// the next reads the same files in the same way and needs no more of them.
    private var cachedTrain: (source: DatasetSpec, images: ImageSet)?
    private var sessionSpec: String?
    private var workerId: WorkerID?
    /// Decodes the assignments posted in the shared segment's mailbox (`postsSeen` counts those handled) and
    /// encodes the results posted back, into `replyBuffer`.
    private let mailboxCodec = Codec()
    private var postsSeen: UInt32 = 0
    private var replyBuffer: [UInt8] = []
    private var everWelcomed = false
    private var heartbeatInterval = 1.0
    private var lastSent = 0.0
    private var lastHeard = 0.0
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public typealias WorkerID = UInt64

    /// Hashes the dataset files, and connects (ZeroMQ connects lazily: the coordinator may start later).
    public init(options: WorkerOptions, logger: Logger = Logger(label: "distembed.worker")) throws {
        self.options = options
        self.logger = logger
        // Hashed, not kept: each experiment loads the training images it uses (see `trainingImages`).
        self.catalog = options.fetchFolder == nil ? try DatasetCatalog(folder: options.dataFolder) : nil
        self.context = try ZMQContext()
        var socketOptions = SocketOptions()
        socketOptions.sendTimeout = .seconds(2)
        socketOptions.linger = .milliseconds(200)
        socketOptions.curve = options.curve
        self.connection = try DealerConnection(context: context, connect: options.connect, options: socketOptions)
        if let listen = options.peerListen {
            var peerOptions = socketOptions
            peerOptions.curve = nil
            let links = try PeerLinks(
                context: context, listen: listen, options: peerOptions, keys: options.curve?.keys
            ) { [logger] line in logger.warning("peer port: \(line)") }
            self.peerLinks = links
            self.poller = Poller([connection.socket, links.socket])
        } else {
            self.peerLinks = nil
            self.poller = nil
        }
        self.origin = clock.now
    }

    deinit {
        context.shutdown()
    }

    private var now: Double {
        (clock.now - origin).seconds
    }

    /// Works until `shouldStop` returns true or the coordinator refuses this worker.
    public func run(until shouldStop: () -> Bool) throws -> WorkerExit {
        logger.info("connecting to the coordinator", metadata: ["endpoint": "\(options.connect)"])
        if let peerLinks {
            logger.info("taking part in sharded groups", metadata: ["peer endpoint": "\(peerLinks.endpoint)"])
        }
        guard try fetchDataset(until: shouldStop), !options.fetchOnly else { return .stopped }
        try hello()
        while !shouldStop() {
            if refetchRequested {
                refetchRequested = false
                guard try fetchDataset(until: shouldStop) else { return .stopped }
                try hello()
            }
            if let exit = try receiveNext() { return exit }
            if now - lastHeard > options.coordinatorTimeout {
                if everWelcomed {
                    logger.info("coordinator silent (restarting?); saying hello again",
                                metadata: ["endpoint": "\(options.connect)"])
                } else {
                    logger.warning("""
                        no answer from the coordinator yet; saying hello again. Check that it runs and that --connect \
                        names one of its --listen endpoints (with CURVE: --coordinator-key and the authorized keys)
                        """, metadata: ["endpoint": "\(options.connect)", "waited": "\(Int(options.coordinatorTimeout)) s"])
                }
                do {
                    try hello()
                } catch let error as ZMQError where error.isTimeout {
                    // libzmq dropped the connection: a refused CURVE handshake when this worker was never welcomed,
                    // a coordinator still restarting otherwise.
                    guard everWelcomed else {
                        return .rejected("no answer from the coordinator at \(options.connect) after "
                            + "\(Int(options.coordinatorTimeout)) s and the connection was dropped: if it uses CURVE, "
                            + "check --curve-secret and --coordinator-key (the coordinator logs refused keys)")
                    }
                }
            } else if workerId != nil && now - lastSent >= heartbeatInterval {
                try send(.heartbeat(Heartbeat(sentAtNanos: DispatchTime.now().uptimeNanoseconds)))
            }
        }
        if workerId != nil { try? send(.goodbye(Goodbye(reason: "worker stopping"))) }
        return .stopped
    }

    /// Handles what arrived: messages over ZeroMQ and, with a shared segment, an assignment posted in its
    /// mailbox. With a segment this thread sleeps on the mailbox (the coordinator's post wakes it directly, not
    /// through ZeroMQ's I/O threads) and looks at the socket between waits; without one, on the socket.
    private func receiveNext() throws -> WorkerExit? {
        guard let session, let segment = session.segment else {
            if let poller, let links = peerLinks {
                let ready = try poller.poll(timeout: .milliseconds(50))
                if ready.contains(1) { while let inbound = try links.receive(timeout: .zero) { try handlePeer(inbound) } }
                guard ready.contains(0) else { return nil }
            }
            guard let envelope = try connection.receive(timeout: poller == nil ? .milliseconds(50) : .zero) else {
                return nil
            }
            lastHeard = now
            return try handle(envelope.message)
        }
        while let envelope = try connection.receive(timeout: .zero) {
            lastHeard = now
            if let exit = try handle(envelope.message) { return exit }
            if self.session?.segment !== segment { return nil }  // a new setup replaced the segment
        }
        guard let post = segment.nextPost(after: postsSeen, timeout: .milliseconds(20)) else { return nil }
        postsSeen = post.count
        lastHeard = now
        return try handle(try mailboxCodec.decode(post.bytes).message)
    }

    /// With `--fetch-data`: the coordinator's dataset, fetched into the cache unless it is there already, becomes
    /// this worker's data folder. False when asked to stop first.
    /// - Throws: ``DeliveryError`` or the coordinator's ``WireError`` when the set cannot be had.
    private func fetchDataset(until shouldStop: () -> Bool) throws -> Bool {
        guard let root = options.fetchFolder else { return true }
        let fetcher = DatasetFetcher(connection: connection, root: root, logger: logger)
        guard let folder = try fetcher.fetch(until: shouldStop) else { return false }
        catalog = try DatasetCatalog(folder: folder)
        cachedTrain = nil
        return true
    }

    private func hello() throws {
        workerId = nil
        lastHeard = now
        let info = ProcessInfo.processInfo
        try send(.hello(Hello(
            name: options.name, host: info.hostName, pid: info.processIdentifier,
            cores: Int32(info.activeProcessorCount),
            protocolVersion: options.protocolVersionOverride ?? Wire.protocolVersion,
            datasets: (catalog?.sha256 ?? []).map { DatasetDigest(name: $0.name, sha256: $0.digest) },
            kernelFingerprint: options.fingerprintOverride ?? KernelFingerprint.current, cpu: KernelPath.machine,
            peerEndpoint: peerLinks?.endpoint ?? "", peerPublicKey: peerLinks?.publicKey ?? "")))
    }

    private func send(_ message: WireMessage) throws {
        try connection.send(message)
        lastSent = now
    }

    /// Handles one message from the coordinator; returns an exit when this worker must stop.
    private func handle(_ message: WireMessage) throws -> WorkerExit? {
        switch message {
        case .welcome(let welcome):
            workerId = welcome.workerId
            everWelcomed = true
            heartbeatInterval = max(0.05, Double(welcome.heartbeatIntervalMs) / 1000)
            logger.info("joined the coordinator", metadata: ["id": "\(welcome.workerId)", "endpoint":
                "\(options.connect)"])
        case .reject(let error) where error.code == .datasetMismatch && options.fetchFolder != nil && !everWelcomed:
            return .rejected("the coordinator at \(options.connect) refused the dataset this worker fetched from it: "
                + "\(error)")
        case .reject(let error) where error.code == .datasetMismatch && options.fetchFolder != nil:
            // Welcomed before: the coordinator restarted with other files. Fetch those.
            logger.warning("the coordinator now has another dataset; fetching it", metadata: ["reason": "\(error)"])
            everWelcomed = false
            refetchRequested = true
        case .reject(let error):
            return .rejected("the coordinator at \(options.connect) refused this worker: \(error)")
        case .experimentSetup(let setup):
            try send(.setupAck(setUp(setup)))
        case .workAssignment(let assignment) where assignment.sharded != nil:
            if let answer = shardedStep(assignment) { try send(answer) }
        case .workAssignment(let assignment):
            replica = nil
            let result = work(assignment)
            if !(assignment.replyInMailbox && postInMailbox(result)) { try send(result) }
        case .goodbye(let goodbye):
            logger.warning("dropped by the coordinator; joining again", metadata: ["reason": "\(goodbye.reason)"])
            try hello()
        case .error(let error) where workerId == nil && [.versionMismatch, .unauthorized].contains(error.code):
            return .rejected("the coordinator at \(options.connect) refused this worker: \(error)")
        case .error(let error) where error.code == .notFound:
            // A restarted coordinator answers every message until the new hello with this: rejoin once, quietly.
            guard workerId != nil else { return nil }
            logger.info("the coordinator does not know this worker (restarted?); joining again")
            try hello()
        case .error(let error):
            logger.error("coordinator error", metadata: ["error": "\(error)"])
        case .heartbeat:
            break
        default:
            logger.warning("unexpected message", metadata: ["message": "\(message.name)"])
        }
        return nil
    }

    private func setUp(_ setup: ExperimentSetup) -> SetupAck {
        if let session, session.experimentId == setup.experimentId, sessionSpec == setup.specJSON {
            return attachSharedMemory(setup, to: session)
        }
        session = nil
        replica = nil
        do throws(WireError) {
            let spec: ExperimentSpec
            do {
                // The coordinator checked the spec against its own limits.
                spec = try ExperimentSpec.parse(json: setup.specJSON, limits: .maximum)
            } catch {
                throw WireError(.invalidSpec, "\(error)")
            }
            let created = try WorkerSession(
                experimentId: setup.experimentId, spec: spec, train: try trainingImages(for: spec.dataset))
            created.corruption = options.flipWeightBitAt.map {
                WeightCorruption(step: $0, persistent: options.flipsWeightBitPersistently)
            }
            let ack = attachSharedMemory(setup, to: created)
            session = created
            sessionSpec = setup.specJSON
            logger.info("experiment set up", metadata: ["experiment": "\(setup.experimentId)",
                                                         "shared memory": "\(created.segment != nil)"])
            return ack
        } catch {
            logger.error("cannot set up the experiment", metadata: ["experiment": "\(setup.experimentId)",
                                                                    "error": "\(error)"])
            return SetupAck(experimentId: setup.experimentId, error: error)
        }
    }

    /// Maps the segments the setup offers into `session` and says which in the acknowledgement: this worker's
    /// segment, and beside it the experiment's shared weights.
    private func attachSharedMemory(_ setup: ExperimentSetup, to session: WorkerSession) -> SetupAck {
        let parameterCount = session.model.parameterCount
        session.segment = setup.sharedSegment.flatMap { offer in
            attach { () throws(SharedSegmentError) in try SharedSegment.attach(offer, parameterCount: parameterCount) }
        }
        let weightsOffer = options.declinesSharedWeights ? nil : setup.sharedWeights
        session.sharedWeights = session.segment == nil ? nil : weightsOffer.flatMap { offer in
            attach { () throws(SharedSegmentError) in
                try SharedSegment.attachWeights(offer, parameterCount: parameterCount)
            }
        }
        postsSeen = session.segment?.postCount() ?? 0
        return SetupAck(
            experimentId: setup.experimentId, sharedSegmentAttached: session.segment != nil,
            repliesInMailbox: session.segment != nil, sharedWeightsAttached: session.sharedWeights != nil)
    }

    /// Maps one of the coordinator's segments, or says at debug level why not (another host, another user, a full
    /// `/dev/shm`, or `--no-shared-memory`): without its segment the experiment trains over messages, without the
    /// shared weights the coordinator copies them into its segment.
    private func attach(_ open: () throws(SharedSegmentError) -> SharedSegment) -> SharedSegment? {
        guard options.sharedMemory else { return nil }
        do {
            return try open()
        } catch {
            logger.debug("not using the coordinator's shared memory", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    /// The training images `spec` names, from the cache or the files in the data folder (whose digests must
    /// still be the ones the coordinator accepted). No test images: the coordinator tests.
    private func trainingImages(for spec: DatasetSpec) throws(WireError) -> ImageSet {
        var source = spec
        (source.trainLimit, source.testLimit) = (0, 0)
        if let cached = cachedTrain, cached.source == source, cached.images.count >= spec.trainLimit {
            return cached.images.prefix(spec.trainLimit)
        }
        cachedTrain = nil
        var wanted = spec
        wanted.testLimit = 0
        let loaded: Dataset
        guard let catalog else { throw WireError(.datasetMismatch, "worker \(options.name) has no dataset yet") }
        do {
            loaded = try catalog.load(wanted)
        } catch {
            switch error {
            case .unreadable(let error):
                throw WireError(.datasetMismatch, "worker \(options.name) cannot read its dataset: \(error)")
            case .changed(let files):
                throw WireError(.datasetMismatch, "\(files.joined(separator: ", ")) in \(catalog.folder) "
                    + "changed since worker \(options.name) started; restart it")
            }
        }
        cachedTrain = (source, loaded.train)
        return loaded.train
    }

    /// Posts `result` in the shared segment's result mailbox, which wakes the coordinator's thread directly;
    /// false when there is no segment or the result does not fit, and it must be sent.
    private func postInMailbox(_ result: WireMessage) -> Bool {
        guard let segment = session?.segment else { return false }
        mailboxCodec.encode(Envelope(requestId: 0, message: result), into: &replyBuffer)
        return segment.post(replyBuffer, in: .results)
    }

    private func work(_ assignment: WorkAssignment) -> WireMessage {
        guard let session, session.experimentId == assignment.experimentId else {
            return .error(WireError(.notFound, "this worker has not set up experiment \(assignment.experimentId)"))
        }
        do {
            return .workResult(try session.compute(assignment))
        } catch {
            logger.error("assignment failed", metadata: ["error": "\(error)"])
            return .error(error)
        }
    }
}

/// The sharded reduction (Docs/ShardedReduction.md): steps of a group, and the messages of its members.
extension WorkerClient {
    /// Takes part in a sharded step: joins the group on its first step, computes, and sends the slices. Returns
    /// the answer for the coordinator when there is one now: an error, or (never with peers) the result.
    fileprivate func shardedStep(_ a: WorkAssignment) -> WireMessage? {
        guard let sharded = a.sharded, let links = peerLinks else {
            return .error(WireError(.badRequest, "worker \(options.name) was given a sharded step but has no "
                + "--peer-listen"))
        }
        guard let session, session.experimentId == a.experimentId else {
            return .error(WireError(.notFound, "this worker has not set up experiment \(a.experimentId)"))
        }
        do {
            if !sharded.peers.isEmpty {
                replica = try ShardedReplica(
                    a, step: sharded, spec: session.spec, stages: session.stages, schedule: session.schedule,
                    parameterCount: session.model.parameterCount)
                try links.connect(to: sharded.peers, peerKeys: sharded.peerKeys)
                logger.info("joined a sharded group", metadata: [
                    "group": "\(String(sharded.group, radix: 16))", "rank": "\(sharded.rank)",
                    "members": "\(sharded.size)",
                    "slices": "\(replica?.sendsInPieces == true ? "in pieces during the backward pass" : "whole")",
                ])
            }
            if sharded.audit {
                guard let replica, replica.group == sharded.group,
                    let weights = replica.weights(forAuditOf: a.weightsVersion)
                else {
                    throw WireError(.badRequest, "worker \(options.name) no longer holds the weights of version "
                        + "\(a.weightsVersion) to audit")
                }
                return .workResult(replica.auditResult(a, computed: try session.compute(a, replicaWeights: weights)))
            }
            guard let replica, replica.continues(a) else {
                throw WireError(.badRequest, "worker \(options.name) holds no weights of sharded group "
                    + "\(String(sharded.group, radix: 16)) at version \(a.weightsVersion)")
            }
            if let done = try replica.step(a, session: session, links: links) { return .workResult(done) }
            for (message, senderKey) in earlyPeerMessages.take(group: replica.group, version: replica.version) {
                do {
                    if let done = try take(message, from: senderKey, into: replica, links: links) {
                        return .workResult(done)
                    }
                } catch let error as WireError {
                    complain("dropped a peer message", error: "\(error)")
                }
            }
            return nil
        } catch {
            replica = nil
            logger.error("sharded step failed", metadata: ["error": "\(error)"])
            return .error(error as? WireError ?? WireError(.internal, "sharded step failed: \(error)"))
        }
    }

    /// Handles a message from another member (or a stranger on the peer port: checked like any input).
    fileprivate func handlePeer(_ inbound: Inbound) throws {
        guard case .message(let message) = inbound else {
            if case .invalid(_, _, let error) = inbound { complain("rejected a peer message", error: "\(error)") }
            return
        }
        let envelope = message.envelope
        let (group, version, experiment): (UInt64, UInt64, String)
        switch envelope.message {
        case .gradientSlices(let s): (group, version, experiment) = (s.group, s.weightsVersion, s.experimentId)
        case .weightShard(let w): (group, version, experiment) = (w.group, w.weightsVersion, w.experimentId)
        default:
            complain("unexpected peer message", error: envelope.message.name)
            return
        }
        guard let replica, let links = peerLinks,
            replica.isForStepInProgress(group: group, version: version, experimentId: experiment)
        else {
            earlyPeerMessages.keep(envelope.message, from: message.senderKey, group: group, version: version)
            return
        }
        do {
            if let done = try take(envelope.message, from: message.senderKey, into: replica, links: links) {
                try send(.workResult(done))
            }
        } catch let error as WireError {
            complain("dropped a peer message", error: "\(error)")
        }
    }

    /// Logs a dropped peer message, within ``PeerComplaints``' rate.
    private func complain(_ what: String, error: String) {
        guard let unlogged = peerComplaints.record(now: now) else { return }
        logger.warning("\(what)", metadata: ["error": "\(error)", "not logged since the last": "\(unlogged)"])
    }

    /// Takes a member's message into the step in progress, once it is known to come from the member it names
    /// (``PeerLinks/isFromMember(_:rank:of:)``; `senderKey` is the key CURVE proved, if any).
    /// - Throws: ``WireError`` `.unauthorized` for a message another peer sent; `.badRequest` for one that is not
    ///   part of the step.
    private func take(
        _ message: WireMessage, from senderKey: String?, into replica: ShardedReplica, links: PeerLinks
    ) throws -> WorkResult? {
        let rank: UInt32
        switch message {
        case .gradientSlices(let s): rank = s.senderRank
        case .weightShard(let w): rank = w.rank
        default: return nil
        }
        guard links.isFromMember(senderKey, rank: Int(rank), of: replica.peerKeys) else {
            throw WireError(.unauthorized, "a message for rank \(rank) of the group came from another peer (CURVE "
                + "key \(senderKey ?? "none"))")
        }
        switch message {
        case .gradientSlices(let s): return try replica.receive(s, links: links)
        case .weightShard(let w): return try replica.receive(w, links: links)
        default: return nil
        }
    }
}
