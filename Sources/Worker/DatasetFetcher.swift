import Core
import Foundation
import Logging
import Wire

/// Fetches the coordinator's dataset into a ``DatasetCache`` over the worker's connection (Docs/Datasets.md,
/// "Delivered by digest"): the manifest, checked before anything is written; then the pieces the cache lacks, a
/// bounded number in flight, each checked before it is written; a piece that fails its check is asked for again,
/// at most ``maxAttempts`` times. Nothing is fetched when the cache already holds the set.
struct DatasetFetcher {
    let connection: DealerConnection
    /// The `--fetch-data` folder: the set goes into `by-digest/DIGEST/` in it.
    let root: String
    let logger: Logger
    /// Pieces asked for and not yet answered.
    var window = 8
    /// A piece whose bytes fail their digest this many times ends the fetch.
    static let maxAttempts = 3
    /// A request unanswered this long is asked again; no answer at all for ``silenceLimit`` ends the fetch.
    static let requestTimeout = 10.0
    static let silenceLimit = 60.0
    /// Seconds to wait before asking again a coordinator that answered `busy`.
    static let busyWait = 1.0

    private let clock = ContinuousClock()

    /// The folder of the complete, verified set; nil when `shouldStop` said to stop first.
    /// - Throws: ``DeliveryError`` saying what failed and what to do; ``WireError`` when the coordinator refuses.
    func fetch(until shouldStop: () -> Bool) throws -> String? {
        guard let manifest = try receiveManifest(until: shouldStop) else { return nil }
        let cache = DatasetCache(root: root, manifest: manifest)
        if cache.isComplete {
            logger.info("dataset already in the cache; fetching nothing", metadata: [
                "dataset": "\(manifest.digest.prefix(12))", "folder": "\(cache.folder)",
            ])
            return cache.folder
        }
        try cache.checkSpace()
        guard try waitForLock(on: cache, until: shouldStop) else { return nil }
        if cache.isComplete {
            logger.info("another worker fetched the dataset into the cache; fetching nothing", metadata: [
                "dataset": "\(manifest.digest.prefix(12))", "folder": "\(cache.folder)",
            ])
            return cache.folder
        }
        let missing = try cache.prepare()
        let bytes = missing.reduce(0) { $0 + manifest.range(file: $1.file, piece: $1.piece).count }
        logger.info("fetching the dataset from the coordinator", metadata: [
            "dataset": "\(manifest.digest.prefix(12))", "folder": "\(cache.folder)", "pieces": "\(missing.count)",
            "MB": "\(megabytes(bytes))", "total MB": "\(megabytes(manifest.totalBytes))",
        ])
        guard try fetchPieces(missing, into: cache, until: shouldStop) else { return nil }
        return cache.folder
    }

    /// Waits while another worker of this host fetches the same set into the same folder; false when asked to stop.
    private func waitForLock(on cache: DatasetCache, until shouldStop: () -> Bool) throws -> Bool {
        var said = false
        while !(try cache.tryLock()) {
            if shouldStop() { return false }
            if !said {
                said = true
                logger.info("another worker is fetching the dataset into the same folder; waiting for it",
                            metadata: ["folder": "\(cache.folder)"])
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return true
    }

    /// The coordinator's manifest, checked; nil when `shouldStop` said to stop first. While the coordinator is
    /// still hashing its set it answers `busy`, and this asks again every ``busyWait`` seconds.
    private func receiveManifest(until shouldStop: () -> Bool) throws -> DatasetManifest? {
        var toldBusy = false
        while !shouldStop() {
            let reply: WireMessage
            do {
                reply = try connection.request(.dataManifestRequest, timeout: .seconds(5))
            } catch let error as ZMQError where error.isTimeout {
                logger.warning("no answer from the coordinator to the dataset manifest request yet; asking again",
                               metadata: ["endpoint": "\(connection.endpoint)"])
                continue
            } catch let error as WireError where error.code == .busy {
                if !toldBusy {
                    toldBusy = true
                    logger.info("the coordinator is not ready to serve its dataset yet; asking again",
                                metadata: ["reason": "\(error.message)"])
                }
                Thread.sleep(forTimeInterval: Self.busyWait)
                continue
            }
            guard case .dataManifest(let m) = reply else {
                throw DeliveryError("the coordinator answered the manifest request with \(reply.name)")
            }
            return try DatasetManifest.received(
                digest: m.digest, pieceSize: Int(m.pieceSize),
                files: m.files.map {
                    DatasetManifest.File(
                        name: $0.name, size: Int(clamping: $0.size), sha256: $0.sha256, pieces: $0.pieceSHA256)
                })
        }
        return nil
    }

    /// Asks for `missing`, at most ``window`` at a time, writes each piece that verifies and renames each file into
    /// place once all its pieces are in; false when `shouldStop` said to stop.
    private func fetchPieces(_ missing: [DatasetCache.Piece], into cache: DatasetCache, until shouldStop: () -> Bool)
        throws -> Bool
    {
        let manifest = cache.manifest
        let started = clock.now
        var queue = missing.map { (piece: $0, notBefore: started) }
        var inFlight: [UInt64: (piece: DatasetCache.Piece, sent: ContinuousClock.Instant)] = [:]
        var attempts: [DatasetCache.Piece: Int] = [:]
        var remaining = Dictionary(grouping: missing, by: \.file).mapValues(\.count)
        var received = 0
        let total = missing.reduce(0) { $0 + manifest.range(file: $1.file, piece: $1.piece).count }
        var lastHeard = started
        var lastReport = started
        while !remaining.isEmpty {
            if shouldStop() { return false }
            let now = clock.now
            while inFlight.count < window, let next = queue.firstIndex(where: { $0.notBefore <= now }) {
                let piece = queue.remove(at: next).piece
                let id = try connection.send(.dataPieceRequest(DataPieceRequest(
                    manifestDigest: manifest.digest, file: UInt32(piece.file), piece: UInt32(piece.piece))))
                inFlight[id] = (piece, now)
            }
            for (id, request) in inFlight where (now - request.sent).seconds > Self.requestTimeout {
                inFlight[id] = nil
                queue.append((request.piece, now))
            }
            guard (now - lastHeard).seconds < Self.silenceLimit else {
                throw DeliveryError("the coordinator at \(connection.endpoint) stopped answering while this worker "
                    + "fetched the dataset (\(Int(Self.silenceLimit)) s); start the worker again to resume")
            }
            if (now - lastReport).seconds >= 2 {
                lastReport = now
                logProgress(received, of: total, since: started)
            }
            guard let envelope = try connection.receive(timeout: .milliseconds(20)),
                  let request = inFlight.removeValue(forKey: envelope.requestId)
            else { continue }
            lastHeard = clock.now
            let piece = request.piece
            switch envelope.message {
            case .dataPiece(let answer) where answer.data.isEmpty && answer.retryAfterMs > 0:
                queue.append((piece, clock.now + .milliseconds(Int(min(answer.retryAfterMs, 60_000)))))
            case .dataPiece(let answer):
                do {
                    try cache.write(answer.data, piece)
                } catch {
                    attempts[piece, default: 0] += 1
                    guard attempts[piece]! < Self.maxAttempts else {
                        throw DeliveryError("\(error.message), \(Self.maxAttempts) times: the coordinator's copy "
                            + "differs from its manifest (changed since it started?); restart it, or give this "
                            + "worker the files with --data")
                    }
                    logger.warning("refused a piece of the dataset; asking for it again", metadata: [
                        "error": "\(error.message)", "attempt": "\(attempts[piece]!)",
                    ])
                    queue.append((piece, clock.now))
                    continue
                }
                received += answer.data.count
                remaining[piece.file]! -= 1
                if remaining[piece.file] == 0 {
                    remaining[piece.file] = nil
                    try cache.finish(file: piece.file)
                }
            case .error(let error) where error.code == .busy:
                queue.append((piece, clock.now + .seconds(Self.busyWait)))
            case .error(let error):
                throw error
            default:
                throw DeliveryError("the coordinator answered a piece request with \(envelope.message.name)")
            }
        }
        let seconds = (clock.now - started).seconds
        logger.info("dataset fetched and verified", metadata: [
            "dataset": "\(manifest.digest.prefix(12))", "MB": "\(megabytes(received))",
            "seconds": "\(String(format: "%.2f", seconds))",
            "MB/s": "\(String(format: "%.1f", Double(received) / 1e6 / max(seconds, 1e-9)))",
        ])
        return true
    }

    private func logProgress(_ received: Int, of total: Int, since started: ContinuousClock.Instant) {
        let seconds = (clock.now - started).seconds
        logger.info("fetching the dataset", metadata: [
            "MB": "\(megabytes(received)) of \(megabytes(total))",
            "MB/s": "\(String(format: "%.1f", Double(received) / 1e6 / max(seconds, 1e-9)))",
        ])
    }

    private func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1e6)
    }
}
