import CZlib

/// Gzip decompression through zlib.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes.
    static func isCompressed(_ data: [UInt8]) -> Bool {
        data.count >= 2 && data[0] == 0x1f && data[1] == 0x8b
    }

    /// The size the gzip trailer records (the uncompressed length modulo 2³²), as a first guess of the output.
    static func recordedSize(_ input: [UInt8]) -> Int {
        guard input.count >= 18 else { return 1 << 16 }
        let n = input.count
        let size = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        return min(max(size, 1 << 16), 1 << 30)
    }

    /// The decompressed bytes of a gzip stream.
    /// - Throws: a message saying what zlib reported (truncated or corrupt input).
    static func decompress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: expect a gzip header.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        // One allocation when the trailer is right; the buffer doubles when it is not (a corrupt trailer).
        var output = [UInt8](repeating: 0, count: recordedSize(input) + 1)
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            while status == Z_OK {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = uInt(outBuf.count - produced)
                    status = inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                }
                if status == Z_BUF_ERROR && stream.avail_in > 0 { status = Z_OK }
            }
        }
        guard status == Z_STREAM_END else {
            let reason = status == Z_BUF_ERROR ? "the gzip stream is truncated" : "the gzip stream is corrupt"
            throw GzipError(message: reason)
        }
        output.removeSubrange(produced...)
        return output
    }
}

struct GzipError: Error {
    var message: String
}
