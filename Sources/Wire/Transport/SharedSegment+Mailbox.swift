#if canImport(CSharedFutex)
import CSharedFutex
import Glibc
#endif

/// The segment's two mailboxes: how the coordinator hands an attached worker its assignments, and the worker
/// hands back its results, without ZeroMQ.
///
/// A ZeroMQ message wakes three threads in turn (the sender's I/O thread, the receiver's, then the receiver) and
/// each wake-up of an idle vCPU costs tens of microseconds here; a post wakes the receiving thread directly.
/// Layout: the assignments mailbox from byte 1024 of the header, the results mailbox from byte 2048; each holds
/// a post counter (`UInt32`), the length of the last post (`UInt32`), then its bytes — one encoded ``Envelope``,
/// so the receiver decodes and checks it as it would a message. The counter is also a futex word: the receiver
/// sleeps on it, the sender bumps it (release) after writing the bytes and wakes it. A worker has one assignment
/// at a time and posts one result for it, so no post is overwritten before it is read.
extension SharedSegment {
    /// One of the two mailboxes.
    public enum Mailbox: Sendable {
        /// Coordinator → worker.
        case assignments
        /// Worker → coordinator, when the assignment asks for it (``WorkAssignment/replyInMailbox``).
        case results

        var offset: Int { self == .assignments ? 1024 : 2048 }
    }

    /// The most bytes one post can hold (an assignment without inline weights needs about 60, a result whose
    /// gradients are in slots about 100).
    public static let mailboxCapacity = 1024 - 8

    private func counter(_ mailbox: Mailbox) -> UnsafeMutablePointer<UInt32> {
        base.advanced(by: mailbox.offset).assumingMemoryBound(to: UInt32.self)
    }

    /// How many posts `mailbox` has had; a reader starts from it and waits for the next.
    public func postCount(in mailbox: Mailbox = .assignments) -> UInt32 {
        #if canImport(CSharedFutex)
        distembed_load_acquire(counter(mailbox))
        #else
        counter(mailbox).pointee
        #endif
    }

    /// Writes `bytes` into `mailbox` and wakes the thread waiting on it. Returns false, posting nothing, when the
    /// bytes do not fit or the platform has no futex: send them as a message instead.
    public func post(_ bytes: [UInt8], in mailbox: Mailbox = .assignments) -> Bool {
        #if canImport(CSharedFutex)
        guard bytes.count <= Self.mailboxCapacity else { return false }
        let start = base.advanced(by: mailbox.offset)
        start.storeBytes(of: UInt32(bytes.count), toByteOffset: 4, as: UInt32.self)
        bytes.withUnsafeBytes { start.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        distembed_store_release(counter(mailbox), postCount(in: mailbox) &+ 1)
        distembed_futex_wake(counter(mailbox))
        return true
        #else
        return false
        #endif
    }

    /// Waits up to `timeout` (not at all for `.zero`) for a post in `mailbox` after the `seen`-th; returns the
    /// count it reached and a copy of the last post's bytes, or nil when none came.
    public func nextPost(
        after seen: UInt32, in mailbox: Mailbox = .assignments, timeout: Duration
    ) -> (count: UInt32, bytes: [UInt8])? {
        #if canImport(CSharedFutex)
        var count = postCount(in: mailbox)
        if count == seen {
            guard timeout > .zero else { return nil }
            let status = distembed_futex_wait(counter(mailbox), seen, Self.milliseconds(timeout))
            count = postCount(in: mailbox)
            if count == seen && status == 0 {
                // Woken without a post: nudged ahead of one (``nudge(_:)``); it comes within microseconds.
                _ = distembed_spin_while_equal(counter(mailbox), seen, Self.spinAfterNudge)
                count = postCount(in: mailbox)
            }
            guard count != seen else { return nil }
        }
        let start = base.advanced(by: mailbox.offset)
        let length = min(Int(start.load(fromByteOffset: 4, as: UInt32.self)), Self.mailboxCapacity)
        return (count, Array(UnsafeRawBufferPointer(start: start.advanced(by: 8), count: length)))
        #else
        return nil
        #endif
    }

    /// How long a reader woken by ``nudge(_:)`` watches the mailbox before it sleeps again, in nanoseconds: the
    /// exercise's Adam step and posts take about 100 µs.
    static let spinAfterNudge = 200_000

    /// Wakes the thread waiting on `mailbox` without posting: it watches the mailbox for a while instead of
    /// sleeping, so waking an idle vCPU (tens of microseconds here) overlaps the work before the post.
    public func nudge(_ mailbox: Mailbox = .assignments) {
        #if canImport(CSharedFutex)
        distembed_futex_wake(counter(mailbox))
        #endif
    }

    /// The most segments ``waitForAnyPost(in:of:timeout:)`` watches at once (the kernel's `FUTEX_WAITV_MAX`).
    public static let mostWatched = 128

    /// Sleeps until a post arrives in `mailbox` of any of `watched` (each with the count its reader has seen), at
    /// most `timeout`. Returns false when it cannot wait on these segments at once (an older kernel, another
    /// platform, more than ``mostWatched``): then the caller must not rely on it.
    public static func waitForAnyPost(
        in mailbox: Mailbox, of watched: [(segment: SharedSegment, seen: UInt32)], timeout: Duration
    ) -> Bool {
        #if canImport(CSharedFutex)
        guard !watched.isEmpty, watched.count <= mostWatched else { return false }
        let addresses: [UnsafeMutablePointer<UInt32>?] = watched.map { $0.segment.counter(mailbox) }
        let expected = watched.map(\.seen)
        let status = distembed_futex_wait_any(addresses, expected, Int32(watched.count), milliseconds(timeout))
        return status == 0 || status == ETIMEDOUT
        #else
        return false
        #endif
    }

    /// Whether this kernel has `futex_waitv`, which ``waitForAnyPost(in:of:timeout:)`` needs.
    public static let canWaitForAnyPost: Bool = {
        #if canImport(CSharedFutex)
        var word: UInt32 = 1
        return withUnsafeMutablePointer(to: &word) { pointer in
            let addresses: [UnsafeMutablePointer<UInt32>?] = [pointer]
            // The word is not 0, so a working futex_waitv returns at once.
            return distembed_futex_wait_any(addresses, [0], 1, 0) == 0
        }
        #else
        return false
        #endif
    }()

    private static func milliseconds(_ timeout: Duration) -> Int32 {
        Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    }
}
