#if canImport(CLinuxScheduling)
import CLinuxScheduling
#endif

/// The segment's mailbox: how the coordinator hands an attached worker its assignments without ZeroMQ.
///
/// A ZeroMQ message wakes three threads in turn (the sender's I/O thread, the receiver's, then the receiver) and
/// each wake-up of an idle vCPU costs tens of microseconds here; a post wakes the worker's thread directly.
/// Layout, from byte 1024 of the header: a post counter (`UInt32`), the length of the last post (`UInt32`), then
/// its bytes — one encoded ``Envelope``, so the worker decodes and checks it as it would a message. The counter is
/// also a futex word: the worker sleeps on it, the coordinator bumps it (release) after writing the bytes and
/// wakes it. The coordinator posts only to a worker without an outstanding assignment, so a post is never
/// overwritten before it is read.
extension SharedSegment {
    /// The most bytes one post can hold (an assignment without inline weights needs about 60).
    public static let mailboxCapacity = headerSize - mailboxOffset - 8

    static let mailboxOffset = 1024

    private var counter: UnsafeMutablePointer<UInt32> {
        base.advanced(by: Self.mailboxOffset).assumingMemoryBound(to: UInt32.self)
    }

    /// How many posts the mailbox has had; a worker reads it when it attaches and waits for the next.
    public var postCount: UInt32 {
        #if canImport(CLinuxScheduling)
        distembed_load_acquire(counter)
        #else
        counter.pointee
        #endif
    }

    /// Writes `bytes` into the mailbox and wakes the thread waiting on it. Returns false, posting nothing, when the
    /// bytes do not fit or the platform has no futex: send them as a message instead.
    public func post(_ bytes: [UInt8]) -> Bool {
        #if canImport(CLinuxScheduling)
        guard bytes.count <= Self.mailboxCapacity else { return false }
        let mailbox = base.advanced(by: Self.mailboxOffset)
        mailbox.storeBytes(of: UInt32(bytes.count), toByteOffset: 4, as: UInt32.self)
        bytes.withUnsafeBytes { mailbox.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        distembed_store_release(counter, postCount &+ 1)
        distembed_futex_wake(counter)
        return true
        #else
        return false
        #endif
    }

    /// Waits up to `timeout` for a post after the `seen`-th; returns the count it reached and the last post's
    /// bytes, or nil when none came.
    public func nextPost(after seen: UInt32, timeout: Duration) -> (count: UInt32, bytes: [UInt8])? {
        #if canImport(CLinuxScheduling)
        var count = postCount
        if count == seen {
            _ = distembed_futex_wait(counter, seen, Int32(clamping: timeout.components.seconds * 1000
                + timeout.components.attoseconds / 1_000_000_000_000_000))
            count = postCount
            guard count != seen else { return nil }
        }
        let mailbox = base.advanced(by: Self.mailboxOffset)
        let length = min(Int(mailbox.load(fromByteOffset: 4, as: UInt32.self)), Self.mailboxCapacity)
        return (count, Array(UnsafeRawBufferPointer(start: mailbox.advanced(by: 8), count: length)))
        #else
        return nil
        #endif
    }
}
