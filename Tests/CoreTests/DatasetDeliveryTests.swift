import Core
import Foundation
import Testing

/// Delivery by digest on one side at a time: the manifest a coordinator builds and a worker checks, the worker's
/// cache (pieces checked before they are written, files renamed once whole, a half-fetched set resumed), and the
/// pieces a coordinator serves.
@Suite struct DatasetDeliveryTests {
    static let pieceSize = 4096

    /// Two files of 10,000 and 5,000 bytes (3 and 2 pieces of 4 KiB) in a new folder.
    static func served() throws -> (folder: URL, names: [String]) {
        let folder = try Fixture.temporaryDirectory()
        let names = ["images.npy", "labels.npy"]
        for (name, size) in zip(names, [10_000, 5_000]) {
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) })
                .write(to: folder.appendingPathComponent(name))
        }
        return (folder, names)
    }

    static func bytes(_ folder: URL, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    @Test func aManifestNamesEveryPieceAndSurvivesTheWorkersCheck() throws {
        let (folder, names) = try Self.served()
        let manifest = try DatasetManifest.build(folder: folder.path, names: names, pieceSize: Self.pieceSize)
        #expect(manifest.files.map(\.pieces.count) == [3, 2])
        #expect(manifest.files.map(\.size) == [10_000, 5_000])
        #expect(manifest.range(file: 0, piece: 2) == 8192..<10_000)
        let received = try DatasetManifest.received(
            digest: manifest.digest, pieceSize: manifest.pieceSize, files: manifest.files)
        #expect(received == manifest)
        var tampered = manifest.files
        tampered[1].pieces[0] = String(repeating: "0", count: 64)
        #expect(throws: DeliveryError.self) {
            try DatasetManifest.received(digest: manifest.digest, pieceSize: manifest.pieceSize, files: tampered)
        }
    }

    @Test(arguments: ["../labels.npy", "a/labels.npy", ".partial", "passwd", "labels.npy\n", ""])
    func aManifestNamingAnythingButAPlainDatasetFileIsRefused(name: String) throws {
        let file = DatasetManifest.File(name: name, size: 1, sha256: String(repeating: "a", count: 64),
                                        pieces: [String(repeating: "b", count: 64)])
        let manifest = DatasetManifest(pieceSize: Self.pieceSize, files: [file])
        let error = #expect(throws: DeliveryError.self) {
            try DatasetManifest.received(digest: manifest.digest, pieceSize: Self.pieceSize, files: [file])
        }
        #expect(error?.message.contains("not the plain name") == true, "\(String(describing: error))")
    }

    @Test func absurdSizesAreRefusedBeforeAnythingIsCreated() throws {
        let digest = String(repeating: "c", count: 64)
        // Over the hard limit: refused by the check of the manifest itself.
        let huge = DatasetManifest.File(name: "images.npy", size: DatasetManifest.maxTotalBytes + 1, sha256: digest,
                                        pieces: [])
        let error = #expect(throws: DeliveryError.self) {
            try DatasetManifest.received(
                digest: DatasetManifest(pieceSize: 4 << 20, files: [huge]).digest, pieceSize: 4 << 20, files: [huge])
        }
        #expect(error?.message.contains("over the limit") == true, "\(String(describing: error))")
        // A piece count that does not match the size.
        let short = DatasetManifest.File(name: "images.npy", size: 10_000, sha256: digest, pieces: [digest])
        #expect(throws: DeliveryError.self) {
            try DatasetManifest.received(
                digest: DatasetManifest(pieceSize: Self.pieceSize, files: [short]).digest, pieceSize: Self.pieceSize,
                files: [short])
        }
        // Within the limit but over any test machine's free space (512 GiB): refused by the cache, which then has
        // created nothing.
        let size = 1 << 39
        let big = DatasetManifest.File(
            name: "images.npy", size: size, sha256: digest,
            pieces: Array(repeating: digest, count: size / (4 << 20)))
        let manifest = try DatasetManifest.received(
            digest: DatasetManifest(pieceSize: 4 << 20, files: [big]).digest, pieceSize: 4 << 20, files: [big])
        let root = try Fixture.temporaryDirectory().appendingPathComponent("cache")
        let cache = DatasetCache(root: root.path, manifest: manifest)
        let refusal = #expect(throws: DeliveryError.self) { try cache.prepare() }
        #expect(refusal?.message.contains("free") == true, "\(String(describing: refusal))")
        #expect(!FileManager.default.fileExists(atPath: root.path), "nothing created")
    }

    @Test func piecesAreCheckedBeforeTheyAreWrittenAndFilesRenamedOnceWhole() throws {
        let (folder, names) = try Self.served()
        let source = try DatasetPieceSource(folder: folder.path, names: names, pieceSize: Self.pieceSize)
        #expect(source.piece(file: 0, piece: 3) == nil && source.piece(file: 2, piece: 0) == nil)
        let root = try Fixture.temporaryDirectory()
        let cache = DatasetCache(root: root.path, manifest: source.manifest)
        #expect(!cache.isComplete)
        let missing = try cache.prepare()
        #expect(missing.count == 5)
        var corrupt = try #require(source.piece(file: 0, piece: 1))
        corrupt[17] ^= 1
        let error = #expect(throws: DeliveryError.self) {
            try cache.write(corrupt, DatasetCache.Piece(file: 0, piece: 1))
        }
        #expect(error?.message.contains("piece 2 of 3 of images.npy") == true, "\(String(describing: error))")
        for piece in missing {
            try cache.write(try #require(source.piece(file: piece.file, piece: piece.piece)), piece)
        }
        try cache.finish(file: 0)
        try cache.finish(file: 1)
        #expect(cache.isComplete)
        for name in names {
            #expect(try Self.bytes(URL(fileURLWithPath: cache.folder), name) == Self.bytes(folder, name))
        }
        #expect(cache.folder.hasSuffix("by-digest/" + source.manifest.digest))
        #expect(!FileManager.default.fileExists(atPath: cache.folder + "/.partial"), "no partial files left")
        // Another worker process on the same folder: complete, nothing to fetch.
        #expect(DatasetCache(root: root.path, manifest: source.manifest).isComplete)
    }

    @Test func aHalfFetchedSetResumesWithTheMissingPiecesOnly() throws {
        let (folder, names) = try Self.served()
        let source = try DatasetPieceSource(folder: folder.path, names: names, pieceSize: Self.pieceSize)
        let root = try Fixture.temporaryDirectory()
        do {
            let first = DatasetCache(root: root.path, manifest: source.manifest)
            let missing = try first.prepare()
            for piece in missing.prefix(2) {
                try first.write(try #require(source.piece(file: piece.file, piece: piece.piece)), piece)
            }
        }
        let resumed = DatasetCache(root: root.path, manifest: source.manifest)
        let missing = try resumed.prepare()
        #expect(missing == [.init(file: 0, piece: 2), .init(file: 1, piece: 0), .init(file: 1, piece: 1)])
    }

    @Test func oneCacheAtATimeHoldsASetsLock() throws {
        let (folder, names) = try Self.served()
        let manifest = try DatasetManifest.build(folder: folder.path, names: names, pieceSize: Self.pieceSize)
        let root = try Fixture.temporaryDirectory().path
        var first: DatasetCache? = DatasetCache(root: root, manifest: manifest)
        let second = DatasetCache(root: root, manifest: manifest)
        #expect(try first!.tryLock())
        #expect(try !second.tryLock(), "held by the first")
        first = nil
        #expect(try second.tryLock(), "released with the first")
        _ = first
    }

    @Test func aFileThatDoesNotVerifyWholeIsRemovedNotRenamed() throws {
        let (folder, names) = try Self.served()
        let source = try DatasetPieceSource(folder: folder.path, names: names, pieceSize: Self.pieceSize)
        var files = source.manifest.files
        files[1].sha256 = String(repeating: "e", count: 64)
        let lying = DatasetManifest(pieceSize: Self.pieceSize, files: files)
        let cache = DatasetCache(root: try Fixture.temporaryDirectory().path, manifest: lying)
        for piece in try cache.prepare() where piece.file == 1 {
            try cache.write(try #require(source.piece(file: 1, piece: piece.piece)), piece)
        }
        #expect(throws: DeliveryError.self) { try cache.finish(file: 1) }
        #expect(!FileManager.default.fileExists(atPath: cache.folder + "/labels.npy"))
    }
}
