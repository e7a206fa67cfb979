import Core
import Foundation
import Testing

/// The bytes of a `.npy` file with `header` (padded as NumPy pads it) and `data`.
private func npyFile(_ header: String, data: [UInt8], major: UInt8 = 1) -> Data {
    let prefixLength = major == 1 ? 10 : 12
    let padding = 64 - (prefixLength + header.utf8.count + 1) % 64
    let body = Array((header + String(repeating: " ", count: padding) + "\n").utf8)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
    let lengthBytes = major == 1 ? 2 : 4
    bytes += (0..<lengthBytes).map { UInt8(truncatingIfNeeded: body.count >> (8 * $0)) }
    return Data(bytes + body + data)
}

/// The header NumPy writes for `descr` and `shape` (before padding).
private func header(_ descr: String, _ shape: String, fortran: Bool = false) -> String {
    "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
}

private func bytes<T: FixedWidthInteger>(_ values: [T], bigEndian: Bool = false) -> [UInt8] {
    values.flatMap { value in
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        return withUnsafeBytes(of: ordered) { Array($0) }
    }
}

private func zeros(_ count: Int) -> [UInt8] { Array(repeating: 0, count: count) }

@Suite("NPY reading and writing")
struct NPYTests {
    @Test("the writer produces NumPy's exact bytes (np.save of a 2×3 float32 array)")
    func writerMatchesNumPy() {
        let values: [Float] = [0, 1.5, -2, 3.25, 1e-8, 7]
        let encoded = NPYWriter.encode(NPYArray(shape: [2, 3], contents: .float32(values)))
        // np.save writes a 118-byte header here: the dict, 21 - len("2") spaces of growth room, padding to 128.
        let dict = header("<f4", "(2, 3)")
        let expectedHeader = dict + String(repeating: " ", count: 117 - dict.utf8.count) + "\n"
        let prefix: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
        let expected = prefix + Array(expectedHeader.utf8) + bytes(values.map(\.bitPattern))
        #expect([UInt8](encoded) == expected)
        #expect(encoded.count == 128 + 24)
    }

    @Test(
        "round trips keep shape, type and every bit",
        arguments: [
            NPYArray(
                shape: [2, 3],
                contents: .float32([0, -0.0, .leastNonzeroMagnitude, 1, -3.5, .greatestFiniteMagnitude])),
            NPYArray(shape: [4], contents: .float64([0.1, -1e300, 5e-324, 2])),
            NPYArray(shape: [5], contents: .int64([0, -1, .max, .min, 42])),
            NPYArray(shape: [], contents: .float64([3])),
            NPYArray(shape: [0, 64], contents: .float32([])),
            NPYArray(shape: [2, 1, 2], contents: .int64([1, 2, 3, 4])),
        ])
    func roundTrip(array: NPYArray) throws {
        let encoded = NPYWriter.encode(array)
        #expect(try NPYReader.decode(encoded) == array)
        let elementSize = array.dtype.size
        #expect((encoded.count - array.count * elementSize) % 64 == 0, "the data starts on a 64-byte boundary")
    }

    @Test("a header too long for version 1.0 is written and read as version 2.0")
    func version2Writing() throws {
        let shape = [1] + Array(repeating: 1, count: 25_000)
        let array = NPYArray(shape: shape, contents: .int64([9]))
        let encoded = NPYWriter.encode(array)
        #expect(encoded[6] == 2)
        #expect(try NPYReader.decode(encoded) == array)
    }

    @Test("files written by NumPy with version 2.0 headers are read")
    func version2Reading() throws {
        let file = npyFile(header("<f8", "(2,)"), data: bytes([1.5, -2.0].map(\.bitPattern)), major: 2)
        let array = try NPYReader.decode(file)
        #expect(array.shape == [2])
        #expect(array.contents == .float64([1.5, -2]))
    }

    @Test("every integer width and both byte orders read as Int64")
    func integerTypes() throws {
        let cases: [(String, [UInt8])] = [
            ("|i1", [0xff, 0x05]),
            ("|u1", [0xff, 0x05]),
            ("<i2", bytes([Int16(-300), 7])),
            (">i2", bytes([Int16(-300), 7], bigEndian: true)),
            ("<u2", bytes([UInt16(65_000), 7])),
            ("<i4", bytes([Int32(-70_000), 7])),
            (">u4", bytes([UInt32(4_000_000_000), 7], bigEndian: true)),
            ("<i8", bytes([Int64(-5_000_000_000), 7])),
            ("<u8", bytes([UInt64(5_000_000_000), 7])),
        ]
        let expected: [[Int64]] = [
            [-1, 5], [255, 5], [-300, 7], [-300, 7], [65_000, 7], [-70_000, 7], [4_000_000_000, 7],
            [-5_000_000_000, 7], [5_000_000_000, 7],
        ]
        for ((descr, data), values) in zip(cases, expected) {
            let array = try NPYReader.decode(npyFile(header(descr, "(2,)"), data: data))
            #expect(array.int64Values == values, "\(descr)")
            #expect(array.dtype.isInteger)
        }
    }

    @Test("big-endian and native-order floats read correctly")
    func floatByteOrders() throws {
        let bigEndianData = bytes([Float(1.25).bitPattern, Float(-8).bitPattern], bigEndian: true)
        let big = try NPYReader.decode(npyFile(header(">f4", "(1, 2)"), data: bigEndianData))
        #expect(big.contents == .float32([1.25, -8]))
        #expect(big.dtype == .float32)
        let native = try NPYReader.decode(npyFile(header("=f8", "(1,)"), data: bytes([Double(0.5).bitPattern])))
        #expect(native.contents == .float64([0.5]))
    }

    @Test("a Fortran-order 1-D array is read, as its layout is C order")
    func fortranOneDimensional() throws {
        let array = try NPYReader.decode(npyFile(header("<i8", "(3,)", fortran: true), data: bytes([Int64(1), 2, 3])))
        #expect(array.int64Values == [1, 2, 3])
    }

    @Test("accessors convert between element types")
    func accessors() {
        let floats = NPYArray(shape: [3], contents: .float64([1, -2, 3.5]))
        #expect(floats.float32Values == [1, -2, 3.5])
        #expect(floats.int64Values == nil)
        let integral = NPYArray(shape: [2], contents: .float32([4, -0.0]))
        #expect(integral.int64Values == [4, 0])
        #expect(NPYArray(shape: [2], contents: .int64([3, 4])).float64Values == [3, 4])
        let matrix = NPYArray(shape: [50, 64], contents: .float32(Array(repeating: 0, count: 3200)))
        #expect(matrix.shapeDescription == "(50, 64)")
        #expect(NPYArray(shape: [5], contents: .int64([1, 2, 3, 4, 5])).shapeDescription == "(5,)")
    }

    @Test(
        "bad files are rejected with the reason",
        arguments: [
            (Data("hello world, not numpy".utf8), "not a .npy file"),
            (npyFile(header("<c8", "(1,)"), data: zeros(8)), "element type '<c8' is not supported"),
            (npyFile(header("<f2", "(1,)"), data: zeros(2)), "element type '<f2'"),
            (npyFile(header("|f4", "(1,)"), data: zeros(4)), "element type '|f4'"),
            (npyFile(header("<f4", "(2, 2)", fortran: true), data: zeros(16)), "Fortran order"),
            (npyFile(header("<f4", "(2, 3)"), data: zeros(20)), "needs 24 data bytes, but the file has 20"),
            (npyFile(header("<f4", "(1,)"), data: zeros(8)), "needs 4 data bytes, but the file has 8"),
            (npyFile("{'descr': '<f4', 'shape': (1,), }", data: zeros(4)), "no 'fortran_order'"),
            (npyFile("{'descr': '<f4', 'fortran_order': False}", data: zeros(4)), "no 'shape'"),
            (npyFile(header("<f4", "(1,)") + "'x': 'y'}", data: zeros(4)), "malformed header"),
            (npyFile("{'x': 'y', " + header("<f4", "(1,)").dropFirst(), data: zeros(4)), "unexpected keys: x"),
            (npyFile(header("<f4", "(-1,)"), data: []), "a dimension"),
            (npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", data: zeros(4)), "malformed header"),
            (npyFile(header("<f4", "(1,)") + " x", data: zeros(4)), "malformed header"),
            (npyFile("{'descr': '<f4', 'descr': '<f4', 'shape': (1,), }", data: zeros(4)), "appears twice"),
            (npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", data: zeros(4)), "structured"),
            (npyFile(header("<f4", "(4294967296, 4294967296)"), data: []), "too many elements"),
            (npyFile(header("<u8", "(1,)"), data: bytes([UInt64.max])), "too large"),
        ])
    func badFiles(file: Data, reason: String) {
        do {
            _ = try NPYReader.decode(file, path: "bad.npy")
            Issue.record("decoded a bad file; expected an error containing \(reason)")
        } catch let error as NPYError {
            #expect(error.description.hasPrefix("bad.npy: "))
            #expect(error.description.contains(reason), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("unsupported format versions are named")
    func unsupportedVersion() {
        var file = [UInt8](npyFile(header("<f4", "(1,)"), data: [0, 0, 0, 0]))
        file[6] = 3
        #expect(throws: NPYError(.unsupported, path: nil, "format version 3.0 is not supported (1.0 or 2.0)")) {
            try NPYReader.decode(Data(file))
        }
    }

    @Test("every truncation of a valid file is an error, never a crash")
    func truncations() {
        let file = NPYWriter.encode(NPYArray(shape: [3, 2], contents: .float64([1, 2, 3, 4, 5, 6])))
        for length in 0..<file.count {
            #expect(throws: NPYError.self, "length \(length)") { try NPYReader.decode(file.prefix(length)) }
        }
    }

    @Test("garbage after a valid magic and version is an error, never a crash")
    func garbage() {
        var rng = PythonRandom(seed: 7)
        for _ in 0..<500 {
            let length = rng.randint(0, 200)
            let tail = (0..<length).map { _ in UInt8(rng.getrandbits(8)) }
            let file = Data([0x93] + Array("NUMPY".utf8) + [UInt8(rng.randint(1, 2)), 0] + tail)
            #expect(throws: NPYError.self) { try NPYReader.decode(file) }
        }
    }

    @Test("files are read and written by path, and missing files are named")
    func files() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("labels.npy").path
        let array = NPYArray(shape: [3], contents: .int64([2, 0, 1]))
        try NPYWriter.write(array, toPath: path)
        #expect(try NPYReader.read(path: path) == array)

        let missing = directory.appendingPathComponent("missing.npy").path
        #expect(throws: NPYError(.io, path: missing, "the file does not exist")) { try NPYReader.read(path: missing) }
        let unwritable = directory.appendingPathComponent("no/such/dir/x.npy").path
        #expect(throws: NPYError.self) { try NPYWriter.write(array, toPath: unwritable) }
    }
}
