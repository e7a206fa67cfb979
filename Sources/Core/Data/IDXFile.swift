/// An IDX file of unsigned bytes (the MNIST format): magic `00 00 08 n`, `n` big-endian 32-bit dimensions, data.
public struct IDXFile: Sendable {
    public let dimensions: [Int]
    public let data: [UInt8]

    /// Parses IDX bytes (already decompressed), keeping their storage for the data.
    /// - Throws: ``DatasetError`` naming `path` for a wrong magic number, a bad type or a truncated file.
    public init(bytes: consuming [UInt8], path: String) throws(DatasetError) {
        guard bytes.count >= 4 else {
            throw DatasetError(path: path, "too short to be an IDX file (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
            throw DatasetError(path: path, "not an IDX file: wrong magic number (\(magic))")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(path: path, "IDX element type 0x\(String(bytes[2], radix: 16)) is not unsigned "
                + "bytes (0x08)")
        }
        let rank = Int(bytes[3])
        guard (1...4).contains(rank) else { throw DatasetError(path: path, "IDX file with \(rank) dimensions") }
        let header = 4 + 4 * rank
        guard bytes.count >= header else { throw DatasetError(path: path, "truncated IDX header") }
        var dims: [Int] = []
        var total = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dims.append(value)
            total = total.multipliedReportingOverflow(by: value).partialValue
        }
        guard bytes.count - header == total else {
            let problem = bytes.count - header < total ? "truncated" : "longer than its header says"
            throw DatasetError(path: path, "\(problem): dimensions \(dims) need \(total) bytes of data, "
                + "the file has \(bytes.count - header)")
        }
        self.dimensions = dims
        bytes.removeSubrange(0..<header)
        self.data = bytes
    }
}
