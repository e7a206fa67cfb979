import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A dataset's files cut into fixed-size pieces, each named by its SHA-256, and the whole named by one digest: what a
/// coordinator serves and a worker fetches (Docs/Datasets.md, "Delivered by digest"). The digest is the SHA-256 of
/// ``canonicalText``, so a worker recomputes it from what it received, and a cache folder named by it holds exactly
/// these bytes.
public struct DatasetManifest: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// The file's name in the served folder; a plain name of a dataset file (``isDatasetFileName(_:)``).
        public var name: String
        public var size: Int
        /// SHA-256 of the whole file, lowercase hex.
        public var sha256: String
        /// SHA-256 of each piece, lowercase hex: piece k holds bytes
        /// `k × pieceSize ..< min((k + 1) × pieceSize, size)`.
        public var pieces: [String]

        public init(name: String, size: Int, sha256: String, pieces: [String]) {
            self.name = name
            self.size = size
            self.sha256 = sha256
            self.pieces = pieces
        }
    }

    /// 1 MiB: a piece is one message, small enough to interleave with training traffic.
    public static let defaultPieceSize = 1 << 20
    /// The piece sizes a manifest may use.
    public static let pieceSizes = 4096...(4 << 20)
    /// At most this many files: a dataset is four IDX files or a few arrays.
    public static let maxFiles = 64
    /// At most this many bytes in all (1 TiB), whatever the disk: a bound on the arithmetic, not a promise.
    public static let maxTotalBytes = 1 << 40

    public let pieceSize: Int
    public let files: [File]
    /// SHA-256 of ``canonicalText``, lowercase hex.
    public let digest: String

    public init(pieceSize: Int, files: [File]) {
        self.pieceSize = pieceSize
        self.files = files
        self.digest = SHA256.hash(data: Array(Self.canonicalText(pieceSize: pieceSize, files: files).utf8)).hex
    }

    /// Every byte the manifest names, in one text: a header line, the piece size, then per file a line
    /// `NAME SIZE SHA256` followed by one line per piece digest.
    public var canonicalText: String { Self.canonicalText(pieceSize: pieceSize, files: files) }

    public var totalBytes: Int { files.reduce(0) { $0 + $1.size } }

    /// The byte range of piece `piece` of file `file`.
    public func range(file: Int, piece: Int) -> Range<Int> {
        let start = piece * pieceSize
        return start..<min(start + pieceSize, files[file].size)
    }

    private static func canonicalText(pieceSize: Int, files: [File]) -> String {
        var text = "distembed dataset manifest 1\npiece-size \(pieceSize)\n"
        for file in files {
            text += "\(file.name) \(file.size) \(file.sha256)\n"
            for piece in file.pieces { text += "  \(piece)\n" }
        }
        return text
    }

    /// The manifest of `names` in `folder`, reading each file once.
    /// - Throws: ``DatasetError`` naming the file that cannot be read.
    public static func build(folder: String, names: [String], pieceSize: Int = defaultPieceSize)
        throws(DatasetError) -> DatasetManifest
    {
        var files: [File] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw DatasetError(path: path, errno == ENOENT ? "missing" : "cannot be read: check its permissions")
            }
            defer { close(fd) }
            var whole = SHA256()
            var pieces: [String] = []
            var size = 0
            var buffer = [UInt8](repeating: 0, count: pieceSize)
            while true {
                var filled = 0
                while filled < pieceSize {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, pieceSize - filled) }
                    guard n >= 0 else { throw DatasetError(path: path, "read failed (errno \(errno))") }
                    if n == 0 { break }
                    filled += n
                }
                if filled == 0 { break }
                buffer.withUnsafeBytes { bytes in
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[0..<filled])
                    whole.update(bufferPointer: piece)
                    pieces.append(SHA256.hash(bufferPointer: piece).hex)
                }
                size += filled
                if filled < pieceSize { break }
            }
            files.append(File(name: name, size: size, sha256: whole.finalize().hex, pieces: pieces))
        }
        return DatasetManifest(pieceSize: pieceSize, files: files)
    }

    /// A manifest received from a peer, checked before anything is allocated for it: the piece size, the number of
    /// files, their names, sizes and piece counts, the total, every digest's form, and that `digest` is the digest
    /// of the rest.
    /// - Throws: ``DeliveryError`` naming what is wrong.
    public static func received(digest: String, pieceSize: Int, files: [File])
        throws(DeliveryError) -> DatasetManifest
    {
        func refuse(_ what: String) -> DeliveryError {
            DeliveryError("the coordinator's dataset manifest \(what); the coordinator may run another release, "
                + "or be hostile: check it, or give this worker the files with --data")
        }
        guard pieceSizes.contains(pieceSize) else {
            throw refuse("has pieces of \(pieceSize) bytes, outside "
                + "\(pieceSizes.lowerBound)...\(pieceSizes.upperBound)")
        }
        guard !files.isEmpty, files.count <= maxFiles else {
            throw refuse("lists \(files.count) files; a dataset has 1 to \(maxFiles)")
        }
        guard Set(files.map(\.name)).count == files.count else { throw refuse("lists a file twice") }
        var total = 0
        for file in files {
            let shown = PrintableText.escaped(file.name, limit: 100)
            guard isDatasetFileName(file.name) else {
                throw refuse("names a file \"\(shown)\", which is not the plain name of an IDX, .npy or .npz file")
            }
            guard file.size >= 0, file.size <= maxTotalBytes - total else {
                throw refuse("claims \(file.size) bytes for \(shown), over the limit of \(maxTotalBytes) in all")
            }
            total += file.size
            let expected = (file.size + pieceSize - 1) / pieceSize
            guard file.pieces.count == expected else {
                throw refuse("lists \(file.pieces.count) pieces for \(shown), whose \(file.size) bytes make "
                    + "\(expected)")
            }
            guard isSHA256(file.sha256), file.pieces.allSatisfy(isSHA256) else {
                throw refuse("holds a digest for \(shown) that is not 64 lowercase hex digits")
            }
        }
        let manifest = DatasetManifest(pieceSize: pieceSize, files: files)
        guard manifest.digest == digest else {
            throw refuse("is named \(PrintableText.escaped(digest, limit: 80)) but its contents hash to "
                + "\(manifest.digest)")
        }
        return manifest
    }

    /// A name a dataset file can have (the IDX names, with or without `.gz`, or `NAME.npy`/`NAME.npz`), with no
    /// folder, no leading dot and no control characters: a served name can only ever be a file in the cache folder.
    public static func isDatasetFileName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("."), !name.contains("/"),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return false }
        let idx = Dataset.fileNames.contains(name) || Dataset.fileNames.contains { $0 + ".gz" == name }
        return idx || name.hasSuffix(".npy") || name.hasSuffix(".npz")
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension SHA256 {
    static func hash(bufferPointer: UnsafeRawBufferPointer) -> SHA256.Digest {
        var hasher = SHA256()
        hasher.update(bufferPointer: bufferPointer)
        return hasher.finalize()
    }
}
