import Core
import Foundation
import Logging
import Synchronization
import Wire

#if canImport(CLinuxScheduling)
import CLinuxScheduling
#endif

/// Serves the `--data` folder to fetching workers from a thread of its own, so that neither hashing the set nor
/// copying its pieces runs on the coordinator's loop, the path of every training step.
///
/// At start the thread hashes the set into its manifest (``DatasetPieceSource``), at the lowest CPU priority
/// (nice 19: it takes what the training leaves). Until it is done the loop answers data requests with `busy`
/// and the worker asks again a second later, so no request waits on the hashing. Then the loop forwards each
/// data request, already decoded, over an ``InprocRelay``; the thread applies the rate (``DataServer``), copies
/// the piece from the mapped file into the encoded reply and queues it; the loop hands that ZeroMQ message to the
/// peer's connection as it is, neither copying nor decoding it. Only the loop touches the ROUTER socket (ZeroMQ
/// sockets are not thread-safe); only the thread touches the set, the rate and the debug corruption. Everything
/// else here belongs to the loop. The thread ends when the context shuts down (after the hashing, if it is still
/// hashing then).
final class DataService {
    /// How far the thread has come, for the loop.
    enum State: Sendable {
        case hashing
        case serving(digest: String, bytes: Int)
        /// The set could not be read; the error says which file and what to do.
        case failed(WireError)
    }

    /// Bytes a second; 0 serves nothing and starts no thread.
    let rate: Double
    /// Requests the loop may have waiting for the thread; beyond that it answers `busy`.
    static let queuedRequests: Int32 = 256
    /// When a fetch was last logged: at most one line (and one event) every ``reportInterval`` seconds, so a peer
    /// asking for the manifest in a loop cannot flood the log or an experiment's events.
    private var lastReport = -Double.infinity
    static let reportInterval = 10.0
    private let relay: InprocRelay.Owner?
    private let state: Shared

    /// Starts the thread that hashes the set with `build` and then serves it (none when `rate` is 0), counting
    /// the bytes served and the peers fetching in `metrics`.
    /// - Throws: ``ZMQError`` when the relay's sockets cannot be made.
    init(
        rate: Double, corruptPieces: Int, context: ZMQContext, logger: Logger, metrics: CoordinatorMetrics?,
        build: @escaping @Sendable () throws -> DatasetPieceSource
    ) throws(ZMQError) {
        self.rate = rate
        state = Shared()
        guard rate > 0 else {
            relay = nil
            return
        }
        let (owner, helper) = try InprocRelay.make(context: context, queue: Self.queuedRequests)
        relay = owner
        let handover = Handover(helper: helper)
        let state = state
        let thread = Thread {
            Self.serve(
                through: handover.helper, state: state, build: build, rate: rate, corruptPieces: corruptPieces,
                logger: logger, metrics: metrics)
        }
        thread.start()
    }

    /// Readable when replies wait for ``relayReplies(through:)``; nil when nothing is served.
    var socket: ZMQSocket? { relay?.socket }

    var current: State { state.value.withLock { $0 } }

    /// Passes a data request from `peer` to the thread; its reply comes through ``relayReplies(through:)``.
    /// - Throws: ``WireError``: `unauthorized` when nothing is served, `busy` while the set is being hashed or
    ///   too many requests wait, the set's read error when it could not be read.
    func forward(_ envelope: Envelope, from peer: PeerID) throws(WireError) {
        guard let relay else {
            throw WireError(.unauthorized, "this coordinator serves no data (--serve-data-rate 0): give the worker "
                + "the dataset files with --data")
        }
        switch current {
        case .hashing:
            throw WireError(.busy, "the coordinator is still hashing its dataset to serve it; ask again in a second")
        case .failed(let error):
            throw error
        case .serving:
            do {
                try relay.forward(envelope, from: peer)
            } catch {
                throw WireError(.busy, "the coordinator has \(Self.queuedRequests) dataset requests waiting to "
                    + "be served; ask again in a second")
            }
        }
    }

    /// Sends the thread's replies to their peers; returns those that could not be sent.
    func relayReplies(through router: RouterEndpoint) throws(ZMQError) -> [(peer: PeerID, error: ZMQError)] {
        try relay?.relay(through: router) ?? []
    }

    /// Whether to log a manifest request now (then not again for ``reportInterval`` seconds).
    func shouldReportFetch(now: Double) -> Bool {
        guard now - lastReport >= Self.reportInterval else { return false }
        lastReport = now
        return true
    }

    /// The thread: hashes the set, then answers forwarded requests until the context shuts down.
    private static func serve(
        through helper: InprocRelay.Helper, state: Shared, build: () throws -> DatasetPieceSource, rate: Double,
        corruptPieces: Int, logger: Logger, metrics: CoordinatorMetrics?
    ) {
        #if canImport(CLinuxScheduling)
        _ = distembed_set_thread_name("data serving")  // in `top -H` and /proc (scripts/measure-data-fetch.py)
        _ = distembed_set_thread_nice(19)
        #endif
        let clock = ContinuousClock()
        let started = clock.now
        let source: DatasetPieceSource
        do {
            source = try build()
        } catch {
            let failure = WireError(.internal, "the coordinator cannot read its dataset to serve it: \(error); fix "
                + "the file and restart the coordinator, or give the worker the files with --data")
            logger.error("cannot serve the dataset", metadata: ["error": "\(error)"])
            state.value.withLock { $0 = .failed(failure) }
            return
        }
        logger.info("dataset hashed; serving it to workers that fetch it", metadata: [
            "dataset": "\(source.manifest.digest.prefix(12))",
            "pieces": "\(source.manifest.files.reduce(0) { $0 + $1.pieces.count })",
            "seconds": "\(String(format: "%.2f", (clock.now - started).seconds))",
        ])
        state.value.withLock { $0 = .serving(digest: source.manifest.digest, bytes: source.manifest.totalBytes) }
        var server = DataServer(source: source, rate: rate, corruptPieces: corruptPieces)
        while true {
            let request: (peer: PeerID, envelope: Envelope)?
            do {
                request = try helper.receive(timeout: .seconds(1))
                metrics?.setDataFetchers(server.fetchers(now: (clock.now - started).seconds))
            } catch {
                if !error.isContextTerminated {
                    logger.error("the data serving thread stopped", metadata: ["error": "\(error)"])
                }
                return
            }
            guard let (peer, envelope) = request else { continue }
            let answer: WireMessage
            do throws(WireError) {
                if case .dataPieceRequest(let pieceRequest) = envelope.message {
                    let piece = try server.piece(pieceRequest, for: peer, now: (clock.now - started).seconds)
                    if !piece.data.isEmpty { metrics?.dataServed(bytes: piece.data.count) }
                    answer = .dataPiece(piece)
                } else {
                    answer = .dataManifest(server.manifest)
                }
            } catch {
                answer = .error(error)
            }
            // Fails only when the loop has not taken the replies queued before; the peer asks again after its
            // request timeout.
            try? helper.reply(answer, requestId: envelope.requestId, to: peer)
        }
    }

    /// The state both threads read and the serving thread writes.
    private final class Shared: Sendable {
        let value = Mutex<State>(.hashing)
    }

    /// The helper end moves to the thread and is used there alone.
    private struct Handover: @unchecked Sendable {
        let helper: InprocRelay.Helper
    }
}
