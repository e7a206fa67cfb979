import Core
import Wire

/// Serves the dataset of the coordinator's `--data` folder to workers that fetch it (Docs/Datasets.md, "Delivered
/// by digest"): the manifest, then pieces by index, never a path a peer names. Pieces go out at most at `rate`
/// bytes a second (a token bucket), so a fetch cannot crowd out the steps of a running experiment; a request
/// over the rate is answered at once with the time to ask again, so nothing waits here and no request is held.
struct DataServer {
    /// Bytes a second; 0 serves nothing.
    let rate: Double
    let pieceSize: Int
    /// Debug: corrupt this many of the first pieces served (tests the worker's check).
    var corruptPieces: Int
    private let folder: String
    private let names: [String]
    /// Built at the first request: hashing the pieces reads the whole set once.
    private var source: DatasetPieceSource?
    private var tokens: Double
    private var lastRefill: Double?
    /// When a fetch was last logged: at most one line (and one event) every ``reportInterval`` seconds, so a peer
    /// asking for the manifest in a loop cannot flood the log or an experiment's events.
    private var lastReport = -Double.infinity
    static let reportInterval = 10.0

    init(folder: String, names: [String], rate: Double, pieceSize: Int, corruptPieces: Int) {
        self.folder = folder
        self.names = names
        self.rate = rate
        self.pieceSize = pieceSize
        self.corruptPieces = corruptPieces
        self.tokens = Double(pieceSize)
    }

    /// At most this many bytes served in a burst: a quarter second at the rate, and at least two pieces.
    private var burst: Double { max(2 * Double(pieceSize), rate / 4) }

    /// The manifest of the served set.
    /// - Throws: ``WireError`` `.unauthorized` when serving is off, `.internal` when a file cannot be read.
    mutating func manifest() throws(WireError) -> DataManifest {
        let manifest = try pieceSource().manifest
        return DataManifest(
            digest: manifest.digest, pieceSize: UInt32(manifest.pieceSize),
            files: manifest.files.map {
                DataFile(name: $0.name, size: UInt64($0.size), sha256: $0.sha256, pieceSHA256: $0.pieces)
            })
    }

    /// A piece, or when to ask again if the rate is used up.
    /// - Throws: ``WireError`` `.notFound` for a manifest the coordinator does not serve (any more) or a piece it
    ///   does not have.
    mutating func piece(_ request: DataPieceRequest, now: Double) throws(WireError) -> DataPiece {
        let source = try pieceSource()
        guard request.manifestDigest == source.manifest.digest else {
            throw WireError(.notFound, "the coordinator serves dataset \(source.manifest.digest), not "
                + "\(PrintableText.escaped(request.manifestDigest, limit: 80)): ask for its manifest again")
        }
        let file = Int(request.file)
        let index = Int(request.piece)
        guard source.manifest.files.indices.contains(file), source.manifest.files[file].pieces.indices.contains(index)
        else {
            throw WireError(.notFound, "the dataset \(source.manifest.digest.prefix(12)) has no piece \(index) of file "
                + "\(file)")
        }
        let length = Double(source.manifest.range(file: file, piece: index).count)
        refill(now: now)
        guard tokens >= length else {
            let wait = (length - tokens) / rate
            return DataPiece(manifestDigest: request.manifestDigest, file: request.file, piece: request.piece,
                             retryAfterMs: UInt32(min(60_000, max(1, (wait * 1000).rounded(.up)))))
        }
        tokens -= length
        guard var bytes = source.piece(file: file, piece: index) else {
            throw WireError(.internal, "the coordinator cannot read piece \(index) of "
                + "\(source.manifest.files[file].name): the file changed since it started; restart it")
        }
        if corruptPieces > 0, !bytes.isEmpty {
            corruptPieces -= 1
            bytes[0] ^= 0xFF
        }
        return DataPiece(manifestDigest: request.manifestDigest, file: request.file, piece: request.piece, data: bytes)
    }

    /// Whether to log a manifest request now (then not again for ``reportInterval`` seconds).
    mutating func shouldReportFetch(now: Double) -> Bool {
        guard now - lastReport >= Self.reportInterval else { return false }
        lastReport = now
        return true
    }

    private mutating func refill(now: Double) {
        if let lastRefill { tokens = min(burst, tokens + (now - lastRefill) * rate) }
        lastRefill = now
    }

    private mutating func pieceSource() throws(WireError) -> DatasetPieceSource {
        guard rate > 0 else {
            throw WireError(.unauthorized, "this coordinator serves no data (--serve-data-rate 0): give the worker "
                + "the dataset files with --data")
        }
        if let source { return source }
        do {
            let built = try DatasetPieceSource(folder: folder, names: names, pieceSize: pieceSize)
            source = built
            return built
        } catch {
            throw WireError(.internal, "the coordinator cannot read its dataset to serve it: \(error)")
        }
    }
}
