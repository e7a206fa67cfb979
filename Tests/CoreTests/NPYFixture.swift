import CZip
import Core
import Foundation

/// Writes NumPy datasets for tests: `.npy` files of any element type (the product's writer stores only float32,
/// float64 and int64) and `.npz` archives through libzip.
enum NPYFixture {
    /// A `.npy` file declaring `descr` and `shape`, followed by `data` as given (little-endian unless `descr` says
    /// otherwise).
    static func npy(descr: String, shape: [Int], data: [UInt8]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)]
            + Array(header.utf8) + data)
    }

    /// `values` as little-endian bytes.
    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v.littleEndian >> (8 * $0)) } }
    }

    /// `values` as little-endian float32 bytes.
    static func bytes(_ values: [Float]) -> [UInt8] { bytes(values.map(\.bitPattern)) }

    /// Images as float32 `.npy` bytes, shape `shape`.
    static func floatImages(_ values: [Float], shape: [Int]) -> Data {
        NPYWriter.encode(NPYArray(shape: shape, contents: .float32(values)))
    }

    /// Labels as int64 `.npy` bytes.
    static func labels(_ values: [Int]) -> Data {
        NPYWriter.encode(NPYArray(shape: [values.count], contents: .int64(values.map(Int64.init))))
    }

    /// Writes `arrays` (name → `.npy` bytes) as `NAME.npy` files in `folder`.
    static func writeFiles(_ arrays: [String: Data], in folder: URL) throws {
        for (name, data) in arrays { try data.write(to: folder.appendingPathComponent(name + ".npy")) }
    }

    /// Writes `arrays` (name → `.npy` bytes) as the `.npz` archive `path`, deflated like `np.savez_compressed`.
    static func writeArchive(_ arrays: [String: Data], to path: String) throws {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            throw CocoaError(.fileWriteUnknown)
        }
        for (name, data) in arrays.sorted(by: { $0.key < $1.key }) {
            let copy = malloc(data.count)!
            data.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            // freep 1: libzip frees the copy once written.
            guard let source = zip_source_buffer(archive, copy, zip_uint64_t(data.count), 1),
                zip_file_add(archive, name + ".npy", source, zip_flags_t(ZIP_FL_ENC_UTF_8)) >= 0
            else {
                zip_discard(archive)
                throw CocoaError(.fileWriteUnknown)
            }
        }
        guard zip_close(archive) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A spec for a NumPy dataset in `folder` with `fields` added to its `dataset` object, and `model`.
    static func spec(folder: URL, dataset fields: String = "", model: String, training: String = "") throws
        -> ExperimentSpec
    {
        let extra = fields.isEmpty ? "" : ", " + fields
        return try ExperimentSpec.parse(json: """
            {"dataset": {"path": "\(folder.path)", "format": "npy"\(extra)}, "model": \(model),
             "training": {"epochs": 1, "batchSize": 8\(training)}, "evaluation": {"layer": "emb", "samples": 4}}
            """)
    }
}
