import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Reads an IDX file, gzipped or not, in 1 MB pieces: hashes every decompressed byte and keeps only the items a
/// run needs, so loading 10,000 of Fashion-MNIST's 60,000 training images needs 8 MB, not 47.
enum IDXReader {
    static let pieceSize = 1 << 20

    /// The file's first `keepItems` items and the SHA-256 of its whole decompressed contents.
    /// - Throws: ``DatasetError`` naming the file.
    static func read(path: String, keepItems: Int) throws(DatasetError) -> (file: IDXFile, sha256: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DatasetError(path: path, "cannot be read: check its permissions") }
        defer { close(fd) }
        var hasher = SHA256()
        var parser = IDXParser(path: path, keepItems: keepItems)
        var input = [UInt8](repeating: 0, count: pieceSize)
        var inflater: GzipInflater?
        var first = true
        while true {
            let n = input.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, pieceSize) }
            guard n >= 0 else { throw DatasetError(path: path, "read failed (errno \(errno))") }
            if n == 0 { break }
            try input.withUnsafeBufferPointer { buffer throws(DatasetError) in
                let chunk = UnsafeBufferPointer(rebasing: buffer[0..<n])
                if first && GzipInflater.isCompressed(chunk) {
                    do {
                        inflater = try GzipInflater(pieceSize: pieceSize)
                    } catch let error as GzipError {
                        throw DatasetError(path: path, error.message)
                    } catch {
                        throw DatasetError(path: path, "\(error)")
                    }
                }
                first = false
                if let inflater {
                    if let error = try inflater.feed(chunk, to: { piece throws(DatasetError) in
                        hasher.update(bufferPointer: UnsafeRawBufferPointer(piece))
                        try parser.consume(piece)
                    }) {
                        throw DatasetError(path: path, error.message)
                    }
                } else {
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(chunk))
                    try parser.consume(chunk)
                }
            }
        }
        if let inflater, !inflater.finished {
            throw DatasetError(path: path, "the gzip stream is truncated")
        }
        return (try parser.finish(), hasher.finalize().hex)
    }
}
