#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory. The kernel reads a page from disk when it is first touched and may drop it
/// again under memory pressure, so a process holding a set bigger than its memory only keeps resident the pages of
/// the samples it reads. Random access is advised: read-ahead would bring in the neighbours of every sample.
final class MappedFile: @unchecked Sendable {
    let path: String
    /// The whole file.
    let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`.
    /// - Throws: ``DatasetError`` naming the file when it is missing, unreadable or empty.
    init(path: String) throws(DatasetError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DatasetError(path: path, errno == ENOENT ? "missing" : "cannot be read: check its permissions")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw DatasetError(path: path, "cannot be read (errno \(errno))") }
        let size = Int(status.st_size)
        guard size > 0 else { throw DatasetError(path: path, "is empty") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw DatasetError(path: path, "cannot be mapped into memory (errno \(errno))")
        }
        madvise(base, size, MADV_RANDOM)
        self.path = path
        self.bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
