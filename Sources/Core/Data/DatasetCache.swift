import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker's copy of a fetched dataset, in `ROOT/by-digest/DIGEST/` (DIGEST: the ``DatasetManifest``'s). A file
/// being fetched is `.partial/NAME` in that folder, written piece by piece, each piece checked against its
/// digest before it is written; once every piece is in and the whole file has its digest, it is renamed to
/// `NAME`. A folder with every file in place is complete and is used as it is; a half-fetched one resumes with the
/// pieces its partial files do not hold yet. Workers on one host may share the folder: the one that holds the set's
/// lock (``tryLock()``) fetches, the others wait for it. The owner of those files in this process: use from one
/// thread.
public final class DatasetCache {
    public let manifest: DatasetManifest
    /// The folder of the complete set, the worker's data folder once ``isComplete``.
    public let folder: String
    private let partialFolder: String
    private var partials: [Int: Int32] = [:]
    /// The open `.lock` file while this process holds the set's lock (closing it releases the lock).
    private var lockDescriptor: Int32?

    /// A piece of the manifest: file and piece index.
    public struct Piece: Hashable, Sendable {
        public var file: Int
        public var piece: Int

        public init(file: Int, piece: Int) {
            self.file = file
            self.piece = piece
        }
    }

    public init(root: String, manifest: DatasetManifest) {
        self.manifest = manifest
        self.folder = ((root as NSString).appendingPathComponent("by-digest") as NSString)
            .appendingPathComponent(manifest.digest)
        self.partialFolder = (folder as NSString).appendingPathComponent(".partial")
    }

    deinit {
        for fd in partials.values { close(fd) }
        if let lockDescriptor { close(lockDescriptor) }
    }

    /// Takes the set's lock (`flock` on `.lock` in its folder) unless another process holds it: only the holder
    /// fetches into the folder. Released when this cache is gone, also when the process dies.
    /// - Throws: ``DeliveryError`` when the folder cannot be created.
    public func tryLock() throws(DeliveryError) -> Bool {
        if lockDescriptor != nil { return true }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DeliveryError("cannot create \(folder) for the fetched dataset: \(error.localizedDescription); "
                + "give the worker a --fetch-data folder it can write")
        }
        let path = (folder as NSString).appendingPathComponent(".lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DeliveryError("cannot open \(path) (errno \(errno)): check the folder's permissions")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return false
        }
        lockDescriptor = fd
        return true
    }

    /// Whether every file is in place with its size (files are renamed into place only once they verify).
    public var isComplete: Bool {
        manifest.files.indices.allSatisfy(isInPlace)
    }

    private func isInPlace(_ file: Int) -> Bool {
        var status = stat()
        let path = (folder as NSString).appendingPathComponent(manifest.files[file].name)
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
            && Int(status.st_size) == manifest.files[file].size
    }

    /// Checks that the disk has room for what is missing, opens a partial file for each file not in place
    /// (creating it at its full size, sparse), and returns the pieces still to fetch: those whose bytes in the
    /// partial file do not have their digest. Nothing is created when the room is missing.
    /// - Throws: ``DeliveryError`` naming the folder, what is missing and what to do.
    public func prepare() throws(DeliveryError) -> [Piece] {
        let missing = manifest.files.indices.filter { !isInPlace($0) }
        try checkSpace(for: missing)
        do {
            try FileManager.default.createDirectory(atPath: partialFolder, withIntermediateDirectories: true)
        } catch {
            throw DeliveryError("cannot create \(partialFolder) for the fetched dataset: "
                + "\(error.localizedDescription); give the worker a --fetch-data folder it can write")
        }
        var pieces: [Piece] = []
        for file in missing {
            let fd = try openPartial(file)
            let size = manifest.files[file].size
            var buffer = [UInt8](repeating: 0, count: manifest.pieceSize)
            for (index, digest) in manifest.files[file].pieces.enumerated() {
                let range = manifest.range(file: file, piece: index)
                let n = buffer.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress, range.count, off_t(range.lowerBound))
                }
                let held = n == range.count
                    && buffer.withUnsafeBytes { SHA256.hash(bufferPointer: .init(rebasing: $0[0..<n])).hex } == digest
                if !held { pieces.append(Piece(file: file, piece: index)) }
            }
            if size == 0 { try finish(file: file) }
        }
        return pieces
    }

    /// Writes a piece into its partial file after checking its length and digest.
    /// - Throws: ``DeliveryError`` naming the file and piece when the bytes are not the manifest's.
    public func write(_ bytes: [UInt8], _ piece: Piece) throws(DeliveryError) {
        let range = manifest.range(file: piece.file, piece: piece.piece)
        let name = manifest.files[piece.file].name
        let expected = manifest.files[piece.file].pieces[piece.piece]
        guard bytes.count == range.count, bytes.withUnsafeBytes({ SHA256.hash(bufferPointer: $0).hex }) == expected
        else {
            throw DeliveryError("piece \(piece.piece + 1) of \(manifest.files[piece.file].pieces.count) of \(name) "
                + "(bytes \(range.lowerBound)..<\(range.upperBound)) does not have the digest the manifest names")
        }
        let fd = try openPartial(piece.file)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(range.lowerBound)) }
        guard written == bytes.count else {
            throw DeliveryError("cannot write \(partialPath(piece.file)) (errno \(errno)): check the disk")
        }
    }

    /// Checks the whole partial file of `file` against its digest, then renames it into place.
    /// - Throws: ``DeliveryError`` when it does not verify (it is removed, to be fetched again) or cannot be moved.
    public func finish(file: Int) throws(DeliveryError) {
        let fd = try openPartial(file)
        guard fsync(fd) == 0 else { throw DeliveryError("cannot write \(partialPath(file)) (errno \(errno))") }
        close(fd)
        partials[file] = nil
        let partial = partialPath(file)
        let digest: String
        do {
            digest = try FileDigest.sha256(path: partial)
        } catch {
            throw DeliveryError("\(error)")
        }
        guard digest == manifest.files[file].sha256 else {
            unlink(partial)
            throw DeliveryError("\(manifest.files[file].name) has SHA-256 \(digest) once every piece is in, not "
                + "the manifest's \(manifest.files[file].sha256): removed, fetch it again")
        }
        let target = (folder as NSString).appendingPathComponent(manifest.files[file].name)
        guard rename(partial, target) == 0 else {
            throw DeliveryError("cannot rename \(partial) to \(target) (errno \(errno))")
        }
        if isComplete { rmdir(partialFolder) }
    }

    /// Checks that the disk has room for the bytes of `files` its partial files do not hold yet.
    /// - Throws: ``DeliveryError`` naming the folder, the bytes needed and free.
    public func checkSpace(for files: [Int]? = nil) throws(DeliveryError) {
        var needed = 0
        for file in files ?? manifest.files.indices.filter({ !isInPlace($0) }) {
            var status = stat()
            let held = stat(partialPath(file), &status) == 0 ? Int(status.st_blocks) * 512 : 0
            needed += max(0, manifest.files[file].size - held)
        }
        if let free = Self.freeBytes(nearest: folder), needed > free {
            throw DeliveryError("fetching the dataset \(manifest.digest.prefix(12)) needs \(needed) more bytes in "
                + "\(folder), but its disk has \(free) free: free some space, or give the worker another --fetch-data "
                + "folder")
        }
    }

    private func partialPath(_ file: Int) -> String {
        (partialFolder as NSString).appendingPathComponent(manifest.files[file].name)
    }

    private func openPartial(_ file: Int) throws(DeliveryError) -> Int32 {
        if let fd = partials[file] { return fd }
        let path = partialPath(file)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DeliveryError("cannot open \(path) (errno \(errno)): check the folder's permissions")
        }
        guard ftruncate(fd, off_t(manifest.files[file].size)) == 0 else {
            close(fd)
            throw DeliveryError("cannot size \(path) to \(manifest.files[file].size) bytes (errno \(errno))")
        }
        partials[file] = fd
        return fd
    }

    /// The bytes free to this user on the disk of `path` or of its nearest existing parent; nil when unknown.
    static func freeBytes(nearest path: String) -> Int? {
        var candidate = path
        while true {
            var info = statvfs()
            if statvfs(candidate, &info) == 0 { return Int(info.f_bavail) * Int(info.f_frsize) }
            let parent = (candidate as NSString).deletingLastPathComponent
            if parent == candidate || parent.isEmpty { return nil }
            candidate = parent
        }
    }
}
