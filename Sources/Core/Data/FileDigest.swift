import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of a file's bytes, read in 1 MB pieces through the page cache: hashing a mapped file this way does
/// not make its pages part of the process's resident memory.
enum FileDigest {
    /// Lower-case hex SHA-256 of the file at `path`.
    /// - Throws: ``DatasetError`` naming the file when it cannot be read.
    static func sha256(path: String) throws(DatasetError) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DatasetError(path: path, errno == ENOENT ? "missing" : "cannot be read: check its permissions")
        }
        defer { close(fd) }
        var hasher = SHA256()
        var piece = [UInt8](repeating: 0, count: IDXReader.pieceSize)
        while true {
            let n = piece.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw DatasetError(path: path, "read failed (errno \(errno))") }
            if n == 0 { break }
            piece.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalize().hex
    }
}
