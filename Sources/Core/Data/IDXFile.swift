/// An IDX file of unsigned bytes (the MNIST format): magic `00 00 08 n`, `n` big-endian 32-bit dimensions, data.
/// Only the first items a run needs are kept; the dimensions are the file's own.
public struct IDXFile: Sendable {
    public let dimensions: [Int]
    /// The data of the first kept items.
    public let data: [UInt8]
}

/// Parses IDX bytes as they stream in: the header first, then the data, keeping the first `keepItems` items.
struct IDXParser {
    let path: String
    let keepItems: Int
    private var header: [UInt8] = []
    private var dimensions: [Int]?
    private var expected = 0
    private var keepBytes = 0
    private var seen = 0
    private var kept: [UInt8] = []

    init(path: String, keepItems: Int) {
        self.path = path
        self.keepItems = keepItems
    }

    mutating func consume(_ piece: UnsafeBufferPointer<UInt8>) throws(DatasetError) {
        var rest = piece[...]
        if dimensions == nil {
            let need = (header.count >= 4 ? 4 + 4 * Int(header[3]) : 4) - header.count
            header.append(contentsOf: rest.prefix(need))
            rest = rest.dropFirst(need)
            if header.count == 4 { try checkMagic() }
            if header.count >= 4 && header.count == 4 + 4 * Int(header[3]) { try parseDimensions() }
            if dimensions == nil {
                if !rest.isEmpty { try consume(UnsafeBufferPointer(rebasing: rest)) }
                return
            }
        }
        seen += rest.count
        if kept.count < keepBytes { kept.append(contentsOf: rest.prefix(keepBytes - kept.count)) }
    }

    /// The parsed file, once every byte has been consumed.
    /// - Throws: ``DatasetError`` naming the file for a short header or a data length the header does not say.
    func finish() throws(DatasetError) -> IDXFile {
        guard let dimensions else {
            if header.count < 4 { throw DatasetError(path: path, "too short to be an IDX file (\(header.count) bytes)") }
            throw DatasetError(path: path, "truncated IDX header")
        }
        guard seen == expected else {
            let problem = seen < expected ? "truncated" : "longer than its header says"
            throw DatasetError(path: path, "\(problem): dimensions \(dimensions) need \(expected) bytes of data, "
                + "the file has \(seen)")
        }
        return IDXFile(dimensions: dimensions, data: kept)
    }

    private func checkMagic() throws(DatasetError) {
        guard header[0] == 0, header[1] == 0 else {
            let magic = header[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
            throw DatasetError(path: path, "not an IDX file: wrong magic number (\(magic))")
        }
        guard header[2] == 0x08 else {
            throw DatasetError(path: path, "IDX element type 0x\(String(header[2], radix: 16)) is not unsigned "
                + "bytes (0x08)")
        }
        guard (1...4).contains(Int(header[3])) else {
            throw DatasetError(path: path, "IDX file with \(header[3]) dimensions")
        }
    }

    private mutating func parseDimensions() throws(DatasetError) {
        var dims: [Int] = []
        var total = 1
        for d in 0..<Int(header[3]) {
            let o = 4 + 4 * d
            let value = Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3])
            dims.append(value)
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            guard !overflow, product <= 1 << 34 else {
                throw DatasetError(path: path, "dimensions \(dims) are too large")
            }
            total = product
        }
        let itemSize = dims.count > 1 ? dims[1...].reduce(1, *) : 1
        dimensions = dims
        expected = total
        keepBytes = min(keepItems, dims[0]) * itemSize
        kept.reserveCapacity(keepBytes)
    }
}
