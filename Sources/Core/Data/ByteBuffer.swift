#if canImport(Glibc)
import Glibc
#endif

/// Memory this process allocated for pixels (an archive entry read whole, a copy), freed with its last reference.
final class ByteBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    /// `count` bytes, uninitialised; nil when the system has not that much memory to give. Untouched pages cost
    /// nothing on Linux, so a buffer sized by what a file claims only takes the memory that is then written.
    init?(count: Int) {
        guard let memory = malloc(max(count, 1)) else { return nil }
        bytes = UnsafeMutableRawBufferPointer(start: memory, count: count)
    }

    deinit {
        free(bytes.baseAddress)
    }
}

/// What holds a ``PixelStore``'s bytes: memory of its own, or a mapped file.
enum PixelBacking {
    case buffer(ByteBuffer)
    case mapped(MappedFile)

    var bytes: UnsafeRawBufferPointer {
        switch self {
        case .buffer(let buffer): UnsafeRawBufferPointer(buffer.bytes)
        case .mapped(let file): file.bytes
        }
    }
}
