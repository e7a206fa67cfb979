import Foundation

/// Writes NumPy `.npy` files: little-endian, C order, format version 1.0 (2.0 when the header needs more than
/// 65,535 bytes), readable by `np.load`.
public enum NPYWriter {
    /// The `descr` NumPy reads for each kind of contents.
    private static func descr(_ contents: NPYArray.Contents) -> String {
        switch contents {
        case .float32: "<f4"
        case .float64: "<f8"
        case .int64: "<i8"
        }
    }

    /// The bytes of a `.npy` file holding `array`, stored as float32, float64 or int64 according to its contents:
    /// byte for byte what `np.save` writes for the same array.
    public static func encode(_ array: NPYArray) -> Data {
        let type = descr(array.contents)
        var header = "{'descr': '\(type)', 'fortran_order': False, 'shape': \(array.shapeDescription), }"
        // Like NumPy, leave room for the first dimension to grow to 21 digits when rewritten in place.
        if let first = array.shape.first {
            header += String(repeating: " ", count: 21 - String(first).count)
        }
        // Then pad with 1 to 64 spaces and a newline so that the data starts on a 64-byte boundary.
        func padded(prefixLength: Int) -> String {
            let unpadded = prefixLength + header.utf8.count + 1
            return header + String(repeating: " ", count: 64 - unpadded % 64) + "\n"
        }
        let version1Header = padded(prefixLength: 10)
        var data = Data(NPYReader.magic)
        let body: String
        if version1Header.utf8.count <= Int(UInt16.max) {
            body = version1Header
            data.append(contentsOf: [1, 0] + littleEndianBytes(UInt16(body.utf8.count)))
        } else {
            body = padded(prefixLength: 12)
            data.append(contentsOf: [2, 0] + littleEndianBytes(UInt32(body.utf8.count)))
        }
        data.append(contentsOf: Array(body.utf8))
        switch array.contents {
        case .float32(let values): append(values.map(\.bitPattern), to: &data)
        case .float64(let values): append(values.map(\.bitPattern), to: &data)
        case .int64(let values): append(values, to: &data)
        }
        return data
    }

    /// Writes `array` to the file at `path`, replacing any file there.
    ///
    /// - Throws: `NPYError` naming `path` if the file cannot be written.
    public static func write(_ array: NPYArray, toPath path: String) throws {
        do {
            try encode(array).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NPYError(.io, path: path, "the file cannot be written (\(error.localizedDescription))")
        }
    }

    /// The bytes of `word`, least significant first.
    private static func littleEndianBytes<T: FixedWidthInteger>(_ word: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
    }

    /// Appends `words` in little-endian byte order.
    private static func append<T: FixedWidthInteger>(_ words: [T], to data: inout Data) {
        words.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
    }
}
