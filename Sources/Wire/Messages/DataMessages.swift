/// One file of a dataset the coordinator serves: its name in the coordinator's `--data` folder, its size and
/// SHA-256, and the SHA-256 of each fixed-size piece of it (the last may be shorter). Digests are lowercase hex.
public struct DataFile: Hashable, Sendable {
    public var name: String
    public var size: UInt64
    public var sha256: String
    public var pieceSHA256: [String]

    public init(name: String, size: UInt64, sha256: String, pieceSHA256: [String]) {
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.pieceSHA256 = pieceSHA256
    }
}

/// Coordinator → peer: the dataset in the coordinator's `--data` folder, cut into pieces of `pieceSize` bytes.
/// `digest` names the whole set; the receiver recomputes it from the other fields (Core's `DatasetManifest`).
public struct DataManifest: Hashable, Sendable {
    public var digest: String
    public var pieceSize: UInt32
    public var files: [DataFile]

    public init(digest: String, pieceSize: UInt32, files: [DataFile]) {
        self.digest = digest
        self.pieceSize = pieceSize
        self.files = files
    }
}

/// Peer → coordinator: piece `piece` of file `file` (indices into the manifest `manifestDigest` names).
public struct DataPieceRequest: Hashable, Sendable {
    public var manifestDigest: String
    public var file: UInt32
    public var piece: UInt32

    public init(manifestDigest: String, file: UInt32, piece: UInt32) {
        self.manifestDigest = manifestDigest
        self.file = file
        self.piece = piece
    }
}

/// Coordinator → peer: a piece's bytes, or (no bytes, `retryAfterMs` > 0) ask again after that many milliseconds:
/// the coordinator's serving rate (`--serve-data-rate`) is used up.
public struct DataPiece: Hashable, Sendable {
    public var manifestDigest: String
    public var file: UInt32
    public var piece: UInt32
    public var data: [UInt8]
    public var retryAfterMs: UInt32

    public init(manifestDigest: String, file: UInt32, piece: UInt32, data: [UInt8] = [], retryAfterMs: UInt32 = 0) {
        self.manifestDigest = manifestDigest
        self.file = file
        self.piece = piece
        self.data = data
        self.retryAfterMs = retryAfterMs
    }
}
