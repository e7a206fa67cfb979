import Core
import Wire

/// What the coordinator answers a worker that fetches its dataset (Docs/Datasets.md, "Delivered by digest"): the
/// manifest, then pieces by index, never a path a peer names. Pieces go out at most at `rate` bytes a second,
/// shared fairly between the peers fetching (``DataRateLimiter``), so a fetch cannot crowd out the steps of a
/// running experiment; a request over the rate is answered at once with the time to ask again, so nothing waits
/// here and no request is held. Runs on ``DataService``'s thread, with the time passed in.
struct DataServer {
    let source: DatasetPieceSource
    /// Debug: corrupt this many of the first pieces served (tests the worker's check).
    var corruptPieces: Int
    private var limiter: DataRateLimiter

    /// The peers that count as fetching at `now`.
    mutating func fetchers(now: Double) -> Int {
        limiter.fetchers(now: now)
    }

    /// Serves `source` at `rate` bytes a second (above 0); the bucket starts with one piece.
    init(source: DatasetPieceSource, rate: Double, corruptPieces: Int) {
        self.source = source
        self.corruptPieces = corruptPieces
        let pieceSize = Double(source.manifest.pieceSize)
        // A quarter second at the rate, and at least two pieces.
        limiter = DataRateLimiter(rate: rate, burst: max(2 * pieceSize, rate / 4), initial: pieceSize)
    }

    /// The manifest of the served set.
    var manifest: DataManifest {
        let manifest = source.manifest
        return DataManifest(
            digest: manifest.digest, pieceSize: UInt32(manifest.pieceSize),
            files: manifest.files.map {
                DataFile(name: $0.name, size: UInt64($0.size), sha256: $0.sha256, pieceSHA256: $0.pieces)
            })
    }

    /// A piece for `peer`, or when to ask again if the rate (or `peer`'s share of it) is used up.
    /// - Throws: ``WireError`` `.notFound` for a manifest the coordinator does not serve (any more) or a piece it
    ///   does not have; `.internal` when the file changed on disk.
    mutating func piece(_ request: DataPieceRequest, for peer: PeerID, now: Double) throws(WireError) -> DataPiece {
        let manifest = source.manifest
        guard request.manifestDigest == manifest.digest else {
            throw WireError(.notFound, "the coordinator serves dataset \(manifest.digest), not "
                + "\(PrintableText.escaped(request.manifestDigest, limit: 80)): ask for its manifest again")
        }
        let file = Int(request.file)
        let index = Int(request.piece)
        guard manifest.files.indices.contains(file), manifest.files[file].pieces.indices.contains(index) else {
            throw WireError(.notFound, "the dataset \(manifest.digest.prefix(12)) has no piece \(index) of file "
                + "\(file)")
        }
        let length = manifest.range(file: file, piece: index).count
        if let wait = limiter.take(length, pieceSize: manifest.pieceSize, for: peer, now: now) {
            return DataPiece(manifestDigest: request.manifestDigest, file: request.file, piece: request.piece,
                             retryAfterMs: UInt32(max(1, (wait * 1000).rounded(.up))))
        }
        guard var bytes = source.piece(file: file, piece: index) else {
            throw WireError(.internal, "the coordinator cannot read piece \(index) of "
                + "\(manifest.files[file].name): the file changed since it started; restart it")
        }
        if corruptPieces > 0, !bytes.isEmpty {
            corruptPieces -= 1
            bytes[0] ^= 0xFF
        }
        return DataPiece(manifestDigest: request.manifestDigest, file: request.file, piece: request.piece, data: bytes)
    }
}
