import CZip

/// A NumPy `.npz` file: a zip archive (stored or deflated) of `.npy` files, one an array, read through libzip,
/// which checks each entry's CRC. Entries are read whole into memory: for sets bigger than memory, use separate
/// `.npy` files, which are mapped instead.
final class NPZArchive {
    /// The largest entry read, whatever the archive claims: a few bytes of deflate can claim terabytes.
    static let maximumEntryBytes = 16 << 30
    /// The most one read asks of libzip.
    static let pieceSize = 1 << 20

    let path: String
    private let archive: OpaquePointer

    /// Opens the archive at `path`.
    /// - Throws: ``DatasetError`` naming the file when it is missing or not a zip archive.
    init(path: String) throws(DatasetError) {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &code) else {
            throw DatasetError(path: path, "cannot be opened as a .npz (zip) archive: \(Self.describe(code))")
        }
        self.path = path
        self.archive = archive
    }

    deinit {
        zip_discard(archive)
    }

    /// The names of the archive's entries, in archive order.
    var entryNames: [String] {
        let count = max(0, zip_get_num_entries(archive, 0))
        return (0..<count).compactMap { zip_get_name(archive, zip_uint64_t($0), 0).map { String(cString: $0) } }
    }

    /// The bytes of array `name` (entry `name.npy`).
    /// - Throws: ``DatasetError`` when the entry is missing, too large, corrupt or shorter than it claims.
    func array(named name: String) throws(DatasetError) -> ByteBuffer {
        let entry = name + ".npy"
        var info = zip_stat_t()
        zip_stat_init(&info)
        guard zip_stat(archive, entry, 0, &info) == 0 else {
            let present = entryNames.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 }
            throw DatasetError(path: path, "has no array '\(name)' (it holds \(present.joined(separator: ", "))); "
                + "save it with np.savez(path, \(name)=array, ...)")
        }
        guard info.valid & zip_uint64_t(ZIP_STAT_SIZE) != 0, info.size <= zip_uint64_t(Self.maximumEntryBytes) else {
            throw DatasetError(path: path, "array '\(name)' claims \(info.size) bytes, more than the "
                + "\(Self.maximumEntryBytes >> 30) GiB a .npz entry may hold here; use separate .npy files")
        }
        guard let file = zip_fopen(archive, entry, 0) else {
            throw DatasetError(path: path, "array '\(name)' cannot be read: \(String(cString: zip_strerror(archive)))")
        }
        defer { zip_fclose(file) }
        let size = Int(info.size)
        guard let buffer = ByteBuffer(count: size) else {
            throw DatasetError(path: path, "array '\(name)' needs \(size) bytes, more memory than there is")
        }
        // Never past the size claimed: a buffer's pages only cost memory once the bytes arrive.
        var filled = 0
        while filled < size {
            let n = zip_fread(file, buffer.bytes.baseAddress! + filled, zip_uint64_t(min(size - filled, Self.pieceSize)))
            guard n > 0 else {
                let reason = n < 0 ? String(cString: zip_file_strerror(file)) : "it ends there"
                throw DatasetError(path: path, "array '\(name)' is corrupt after \(filled) of the \(size) bytes the "
                    + "archive claims: \(reason)")
            }
            filled += Int(n)
        }
        var extra: UInt8 = 0
        guard zip_fread(file, &extra, 1) == 0 else {
            throw DatasetError(path: path, "array '\(name)' holds more than the \(size) bytes the archive claims")
        }
        return buffer
    }

    /// libzip's words for an error code.
    private static func describe(_ code: Int32) -> String {
        var error = zip_error_t()
        zip_error_init_with_code(&error, code)
        defer { zip_error_fini(&error) }
        return String(cString: zip_error_strerror(&error))
    }
}
