import Foundation

#if !_endian(little)
#error("The store copies float32 arrays into little-endian BLOBs byte for byte, so it needs a little-endian host.")
#endif

/// Float arrays as BLOBs of little-endian float32, copied whole with `memcpy` rather than element by element.
enum FloatBlob {
    /// The bytes of `values`.
    static func data(_ values: [Float]) -> Data {
        values.withUnsafeBytes { Data($0) }
    }

    /// The floats stored in `data` by ``data(_:)``.
    /// - Throws: ``StoreProblem`` when the length is not a whole number of floats.
    static func floats(_ data: Data, column: String) throws -> [Float] {
        let size = MemoryLayout<Float>.size
        guard data.count % size == 0 else {
            throw StoreProblem(
                code: .corrupt, message: "the \(column) BLOB has \(data.count) bytes, not a multiple of \(size)",
                hint: "the database file is damaged; move it aside or pass --store with another folder")
        }
        let count = data.count / size
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }
}
