import CZlib

/// Streaming gzip decompression through zlib: compressed chunks in, decompressed pieces out, so a 26 MB file
/// never needs its 47 MB of contents in memory at once.
final class GzipInflater {
    private var stream = z_stream()
    private var output: [UInt8]
    private(set) var finished = false

    init(pieceSize: Int = 1 << 20) throws(GzipError) {
        output = [UInt8](repeating: 0, count: pieceSize)
        // 15 window bits + 16: expect a gzip header.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(message: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
    }

    /// Whether `bytes` starts with the gzip magic bytes.
    static func isCompressed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses `input`, handing each decompressed piece to `sink`. Bytes after the end of the gzip stream
    /// are ignored.
    /// - Throws: ``GzipError`` for a corrupt stream, or whatever `sink` throws.
    func feed<E: Error>(
        _ input: UnsafeBufferPointer<UInt8>, to sink: (UnsafeBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) -> GzipError? {
        guard !finished, input.count > 0 else { return nil }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = uInt(input.count)
        let size = output.count
        while stream.avail_in > 0 && !finished {
            var status: Int32 = Z_OK
            let produced: Int = output.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(size)
                status = inflate(&stream, Z_NO_FLUSH)
                return size - Int(stream.avail_out)
            }
            if status == Z_STREAM_END { finished = true }
            if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced > 0) {
                return GzipError(message: "the gzip stream is corrupt (zlib status \(status))")
            }
            if produced > 0 {
                try output.withUnsafeBufferPointer { (all) throws(E) in
                    try sink(UnsafeBufferPointer(rebasing: all[0..<produced]))
                }
            }
        }
        return nil
    }
}

/// What zlib reported about a gzip stream.
struct GzipError: Error {
    var message: String
}
