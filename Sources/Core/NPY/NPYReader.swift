import Foundation

/// A `.npy` file that could not be read or written, naming the file and what was wrong with it.
public struct NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem it was, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened, read or written.
        case io
        /// The bytes are not a `.npy` file, or its header is malformed or inconsistent with the data.
        case corrupt
        /// A valid `.npy` file this reader does not handle: format version, element type, or Fortran order.
        case unsupported
    }

    /// What kind of problem it was.
    public var kind: Kind
    /// The file's path, when the bytes came from a file.
    public var path: String?
    /// What was wrong, in words a user can act on.
    public var message: String

    /// Creates an error about the file at `path` (or about bytes from no file, if `nil`).
    public init(_ kind: Kind, path: String?, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `path: message`, or just the message for bytes from no file.
    public var description: String { path.map { "\($0): \(message)" } ?? message }
}

/// Reads NumPy `.npy` files (format versions 1.0 and 2.0, C order) holding float32, float64 or integer elements of
/// either byte order.
public enum NPYReader {
    /// The six bytes every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the `.npy` file at `path`.
    ///
    /// - Throws: `NPYError` naming `path` if the file cannot be read, is not a valid `.npy` file, or holds a type
    ///   or layout this reader does not handle.
    public static func read(path: String) throws -> NPYArray {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw NPYError(.io, path: path, "the file \(reason)")
        }
        return try decode(data, path: path)
    }

    /// Decodes the bytes of a `.npy` file.
    ///
    /// - Parameters:
    ///   - data: The whole file.
    ///   - path: The file the bytes came from, for error messages.
    /// - Throws: `NPYError` if the bytes are not a valid `.npy` file or hold a type or layout this reader does not
    ///   handle.
    public static func decode(_ data: Data, path: String? = nil) throws -> NPYArray {
        try data.withUnsafeBytes { try decode(bytes: $0, path: path) }
    }

    /// Decodes the bytes of a `.npy` file, mapped or in memory.
    static func decode(bytes: UnsafeRawBufferPointer, path: String?) throws -> NPYArray {
        let layout = try layout(of: bytes, path: path)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[layout.dataOffset...])
        let contents = elements(raw, of: layout.dtype, count: layout.count, bigEndian: layout.bigEndian)
        if layout.dtype == .uint64, case .int64(let values) = contents, let i = values.firstIndex(where: { $0 < 0 }) {
            throw NPYError(
                .unsupported, path: path,
                "uint64 element \(UInt64(bitPattern: values[i])) at index \(i) is too large (the limit is Int64.max)")
        }
        return NPYArray(shape: layout.shape, dtype: layout.dtype, contents: contents)
    }

    /// The header of a `.npy` file, checked against the file's length, without reading its elements: a mapped
    /// file's pages stay on disk.
    static func layout(of bytes: UnsafeRawBufferPointer, path: String?) throws -> NPYLayout {
        func corrupt(_ message: String) -> NPYError { NPYError(.corrupt, path: path, message) }

        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw corrupt("not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let minor = bytes[7]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2:
            guard bytes.count >= 12 else {
                throw corrupt("the file ends inside the header length")
            }
            headerStart = 12
            headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
        default:
            throw NPYError(.unsupported, path: path, "format version \(major).\(minor) is not supported (1.0 or 2.0)")
        }
        guard bytes.count - headerStart >= headerLength else {
            let available = bytes.count - headerStart
            throw corrupt("the header claims \(headerLength) bytes but the file ends after \(available)")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .isoLatin1)
        else {
            throw corrupt("the header is not text")
        }
        let fields = try NPYHeader(parsing: header, path: path)
        let dataStart = headerStart + headerLength
        let (expectedBytes, overflow) = fields.count.multipliedReportingOverflow(by: fields.dtype.size)
        guard !overflow else {
            throw corrupt("shape \(fields.shapeDescription) has too many elements")
        }
        guard bytes.count - dataStart == expectedBytes else {
            throw corrupt(
                "shape \(fields.shapeDescription) of \(fields.dtype.rawValue) needs \(expectedBytes) data bytes, "
                    + "but the file has \(bytes.count - dataStart)")
        }
        return NPYLayout(
            shape: fields.shape, dtype: fields.dtype, bigEndian: fields.bigEndian, count: fields.count,
            dataOffset: dataStart)
    }

    /// Converts `count` elements of `dtype` from `raw` to the array's contents.
    private static func elements(_ raw: UnsafeRawBufferPointer, of dtype: NPYArray.DType, count: Int, bigEndian: Bool)
        -> NPYArray.Contents
    {
        let swapped = bigEndian != (1.bigEndian == 1)
        /// The first `count` elements of type `T`, copied as they are stored.
        func copy<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw.prefix(count * MemoryLayout<T>.stride)))
                initialized = count
            }
        }
        /// The first `count` elements of type `T`, in host byte order.
        func words<T: FixedWidthInteger>(_: T.Type) -> [T] {
            swapped ? copy(T.self).map(\.byteSwapped) : copy(T.self)
        }
        switch dtype {
        case .float32: return .float32(swapped ? words(UInt32.self).map(Float.init(bitPattern:)) : copy(Float.self))
        case .float64: return .float64(swapped ? words(UInt64.self).map(Double.init(bitPattern:)) : copy(Double.self))
        case .int8: return .int64(words(Int8.self).map(Int64.init))
        case .int16: return .int64(words(Int16.self).map(Int64.init))
        case .int32: return .int64(words(Int32.self).map(Int64.init))
        case .int64: return .int64(words(Int64.self))
        case .uint8: return .int64(words(UInt8.self).map(Int64.init))
        case .uint16: return .int64(words(UInt16.self).map(Int64.init))
        case .uint32: return .int64(words(UInt32.self).map(Int64.init))
        case .uint64: return .int64(words(UInt64.self).map { Int64(bitPattern: $0) })
        }
    }
}

/// Where a `.npy` file's elements are and how they are stored, from its header.
struct NPYLayout {
    var shape: [Int]
    var dtype: NPYArray.DType
    var bigEndian: Bool
    /// The product of `shape`.
    var count: Int
    /// Where the elements start in the file.
    var dataOffset: Int
}

/// The fields of a `.npy` header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (50, 64), }`.
private struct NPYHeader {
    var dtype: NPYArray.DType
    var bigEndian: Bool
    var shape: [Int]
    /// The product of `shape`.
    var count: Int

    var shapeDescription: String { NPYArray.describe(shape: shape) }

    /// The parsed value of one dict entry.
    private enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    init(parsing header: String, path: String?) throws {
        var parser = Parser(text: Array(header.unicodeScalars), path: path)
        let entries = try parser.dictionary()
        func corrupt(_ message: String) -> NPYError { NPYError(.corrupt, path: path, message) }

        let unexpected = entries.keys.filter { !["descr", "fortran_order", "shape"].contains($0) }.sorted()
        guard unexpected.isEmpty else {
            throw corrupt("the header has unexpected keys: \(unexpected.joined(separator: ", "))")
        }
        guard case .string(let descr)? = entries["descr"] else {
            throw corrupt("the header has no 'descr' string")
        }
        guard case .bool(let fortranOrder)? = entries["fortran_order"] else {
            throw corrupt("the header has no 'fortran_order' flag")
        }
        guard case .tuple(let shape)? = entries["shape"] else {
            throw corrupt("the header has no 'shape' tuple")
        }
        (dtype, bigEndian) = try Self.dtype(descr, path: path)
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw corrupt("shape \(NPYArray.describe(shape: shape)) has too many elements")
            }
            count = product
        }
        if fortranOrder && shape.filter({ $0 > 1 }).count > 1 {
            throw NPYError(
                .unsupported, path: path,
                "the array is in Fortran order; save it in C order with np.save(path, np.ascontiguousarray(a))")
        }
        self.shape = shape
        self.count = count
    }

    /// The element type and byte order of a `descr` such as `<f4`, `>i2` or `|u1`.
    private static func dtype(_ descr: String, path: String?) throws -> (NPYArray.DType, bigEndian: Bool) {
        let types: [String: NPYArray.DType] = [
            "f4": .float32, "f8": .float64, "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64,
        ]
        let order = descr.first
        if let order, "<>=|".contains(order), let dtype = types[String(descr.dropFirst())],
            order != "|" || dtype.size == 1
        {
            return (dtype, order == ">" || (order == "=" && 1.bigEndian == 1))
        }
        throw NPYError(
            .unsupported, path: path,
            "element type '\(descr)' is not supported (float32, float64, or a signed or unsigned integer)")
    }

    /// A recursive-descent parser for the small part of Python's literal syntax that headers use.
    private struct Parser {
        var text: [Unicode.Scalar]
        var position = 0
        var path: String?

        init(text: [Unicode.Scalar], path: String?) {
            self.text = text
            self.path = path
        }

        private func corrupt(_ expected: String) -> NPYError {
            let context = String(String.UnicodeScalarView(text[position...].prefix(20)))
            let found = position < text.count ? "'\(context)'" : "the end of the header"
            return NPYError(.corrupt, path: path, "malformed header: expected \(expected) at \(found)")
        }

        private mutating func skipSpace() {
            while position < text.count, text[position].properties.isWhitespace {
                position += 1
            }
        }

        /// Consumes `scalar` (after any space) if it comes next.
        private mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            skipSpace()
            guard position < text.count, text[position] == scalar else {
                return false
            }
            position += 1
            return true
        }

        private mutating func expect(_ scalar: Unicode.Scalar) throws {
            guard take(scalar) else {
                throw corrupt("'\(scalar)'")
            }
        }

        /// `{key: value, ...}` with an optional trailing comma, then only space to the end.
        mutating func dictionary() throws -> [String: Value] {
            try expect("{")
            var entries: [String: Value] = [:]
            while !take("}") {
                let key = try string()
                try expect(":")
                guard entries.updateValue(try value(), forKey: key) == nil else {
                    throw NPYError(.corrupt, path: path, "malformed header: the key '\(key)' appears twice")
                }
                if !take(",") {
                    try expect("}")
                    break
                }
            }
            skipSpace()
            guard position == text.count else {
                throw corrupt("the end of the header")
            }
            return entries
        }

        private mutating func value() throws -> Value {
            skipSpace()
            if take("(") {
                var items: [Int] = []
                while !take(")") {
                    items.append(try integer())
                    if !take(",") {
                        try expect(")")
                        break
                    }
                }
                return .tuple(items)
            }
            if take("[") {
                throw NPYError(.unsupported, path: path, "structured arrays (a list of fields) are not supported")
            }
            if let word = ["True", "False"].first(where: { matches($0) }) {
                position += word.unicodeScalars.count
                return .bool(word == "True")
            }
            return .string(try string())
        }

        private func matches(_ word: String) -> Bool {
            text[position...].starts(with: word.unicodeScalars)
        }

        /// A quoted string, with either quote character and no escapes.
        private mutating func string() throws -> String {
            skipSpace()
            guard position < text.count, text[position] == "'" || text[position] == "\"" else {
                throw corrupt("a quoted string")
            }
            let quote = text[position]
            guard let end = text[(position + 1)...].firstIndex(of: quote) else {
                throw corrupt("a closing quote")
            }
            let result = String(String.UnicodeScalarView(text[(position + 1)..<end]))
            position = end + 1
            return result
        }

        /// A non-negative decimal integer, with Python 2's optional `L` suffix.
        private mutating func integer() throws -> Int {
            skipSpace()
            let start = position
            while position < text.count, ("0"..."9").contains(text[position]) {
                position += 1
            }
            guard position > start, let value = Int(String(String.UnicodeScalarView(text[start..<position]))) else {
                position = start
                throw corrupt("a dimension (a non-negative integer)")
            }
            _ = take("L")
            return value
        }
    }
}
