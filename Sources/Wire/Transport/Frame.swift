import CZeroMQ

/// One received ZeroMQ frame, holding libzmq's buffer without copying it.
public final class Frame: @unchecked Sendable {
    /// Heap-allocated: a `zmq_msg_t` must never be copied by value (Docs/Platform.md).
    let message: UnsafeMutablePointer<zmq_msg_t>

    init() {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }

    /// The frame's size in bytes.
    public var count: Int {
        zmq_msg_size(message)
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The user id the ZAP handler gave the connection this frame came on (a CURVE client's public key, in Z85,
    /// with ``ZAPHandler``); nil without one.
    var userId: String? {
        guard let value = zmq_msg_gets(message, "User-Id") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// True when another frame of the same message follows this one.
    var hasMore: Bool {
        zmq_msg_more(message) != 0
    }

    /// Runs `body` over the frame's bytes, valid only inside `body`.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: count))
    }
}
