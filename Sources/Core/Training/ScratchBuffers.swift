/// A pool of equally sized Float buffers reused across steps, so the step loop does not allocate.
///
/// A buffer is lent for the length of a closure, so none outlives its lending or comes back twice. Asked for more
/// floats than its size, the pool frees the buffers it holds and starts again at the new size; a buffer lent out
/// then stays valid until its closure returns, and is freed at that point instead of coming back to the pool.
public final class ScratchBuffers {
    /// Buffers not lent out, each `size` floats.
    private var free: [UnsafeMutablePointer<Float>] = []
    private var size = 0

    public init() {}

    deinit {
        for buffer in free { buffer.deallocate() }
    }

    /// Calls `body` with a buffer of at least `count` floats; its contents are whatever was left in it.
    public func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        if count > size {
            for buffer in free { buffer.deallocate() }
            free = []
            size = count
        }
        let capacity = size
        let buffer = free.popLast() ?? Self.allocate(capacity)
        defer {
            if capacity == size { free.append(buffer) } else { buffer.deallocate() }
        }
        return try body(buffer)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: 0, count: count)
        return buffer
    }
}
