import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ socket, closed when the object goes away. Use each socket from one thread at a time.
///
/// Every call that waits is bounded: sends by ``SocketOptions/sendTimeout``, receives by their timeout.
public final class ZMQSocket {
    /// The socket patterns the system uses.
    public enum Kind: Sendable {
        /// The coordinator's side: many peers, each message prefixed by the peer's identity.
        case router
        /// A worker's or the CLI's side: one connection to a ROUTER.
        case dealer
        /// A ``ZAPHandler``'s side of the ZAP protocol: one request, one reply.
        case reply
        /// A ``HandshakeMonitor``'s end of libzmq's socket monitor.
        case pair

        var zmqType: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .reply: ZMQ_REP
            case .pair: ZMQ_PAIR
            }
        }
    }

    /// The socket's pattern.
    public let kind: Kind
    /// The options the socket was created with.
    public let options: SocketOptions
    let handle: UnsafeMutableRawPointer
    /// Kept so the context outlives the socket (it terminates only after every socket is closed).
    private let context: ZMQContext

    /// Creates a socket and applies `options`.
    ///
    /// - Throws: ``ZMQError`` when libzmq refuses the socket or an option.
    public init(_ kind: Kind, context: ZMQContext, options: SocketOptions = SocketOptions()) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, kind.zmqType) else { throw ZMQError.last("zmq_socket") }
        do {
            try Self.apply(options, kind: kind, to: handle)
        } catch {
            zmq_close(handle)
            throw error
        }
        self.kind = kind
        self.options = options
        self.handle = handle
        self.context = context
    }

    deinit {
        zmq_close(handle)
    }

    /// Listens on `endpoint`: `tcp://HOST:PORT` (`tcp://127.0.0.1:*` picks a free port) or `ipc:///PATH`.
    ///
    /// - Throws: ``ZMQError`` naming the endpoint, e.g. when the address is in use.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let address = BindAddress.resolved(endpoint)
        try enableIPv6(for: address)
        try ZMQError.check(Self.describe("bind", endpoint)) { zmq_bind(handle, address) }
    }

    /// Connects to `endpoint` (`tcp://HOST:PORT` or `ipc:///PATH`); libzmq keeps reconnecting in the background,
    /// so the peer need not be up yet.
    ///
    /// - Throws: ``ZMQError`` when the endpoint is malformed.
    public func connect(_ endpoint: String) throws(ZMQError) {
        try enableIPv6(for: endpoint)
        try ZMQError.check(Self.describe("connect", endpoint)) { zmq_connect(handle, endpoint) }
    }

    /// libzmq takes IPv6 addresses (`tcp://[::1]:5555`) only with `ZMQ_IPV6` set. It is set for those alone: with it
    /// set, a socket bound to 127.0.0.1 would report its endpoint as `tcp://[::ffff:127.0.0.1]:PORT`.
    private func enableIPv6(for endpoint: String) throws(ZMQError) {
        guard endpoint.hasPrefix("tcp://[") else { return }
        var one: Int32 = 1
        try ZMQError.check("set ZMQ_IPV6") { zmq_setsockopt(handle, ZMQ_IPV6, &one, MemoryLayout<Int32>.size) }
    }

    /// The endpoint the socket last bound or connected to, with any `*` port resolved (`ZMQ_LAST_ENDPOINT`).
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends one message made of `frames`, waiting at most ``SocketOptions/sendTimeout`` for queue room.
    ///
    /// - Parameter immediately: fail with `EAGAIN` instead of waiting when the peer's queue is full.
    /// - Throws: ``ZMQError``: `EAGAIN` on timeout, `EHOSTUNREACH` when a ROUTER's peer is gone.
    public func send(_ frames: [[UInt8]], immediately: Bool = false) throws(ZMQError) {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let flags = immediately ? ZMQ_DONTWAIT : 0
        for (index, frame) in frames.enumerated() {
            let more = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            try ZMQError.check("send") {
                frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags | more) }
            }
        }
    }

    /// Sends `prefix` frames, then one frame of `size` bytes written in place by `fill` (no intermediate copy).
    func send(
        prefix: [[UInt8]], size: Int, immediately: Bool, fill: (UnsafeMutableRawPointer) -> Void
    ) throws(ZMQError) {
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }
        try ZMQError.check("allocate a \(size)-byte message") { zmq_msg_init_size(message, size) }
        defer { zmq_msg_close(message) }
        fill(zmq_msg_data(message))
        let flags = immediately ? ZMQ_DONTWAIT : 0
        for frame in prefix {
            try ZMQError.check("send") {
                frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags | ZMQ_SNDMORE) }
            }
        }
        try ZMQError.check("send") { zmq_msg_send(message, handle, flags) }
    }

    /// Sends received `frames` on as one message without copying them: libzmq takes each frame's buffer, and a
    /// frame sent is left empty.
    func send(frames: [Frame], immediately: Bool) throws(ZMQError) {
        let flags = immediately ? ZMQ_DONTWAIT : 0
        for (index, frame) in frames.enumerated() {
            let more = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            try ZMQError.check("send") { zmq_msg_send(frame.message, handle, flags | more) }
        }
    }

    /// Waits up to `timeout` (default ``SocketOptions/receiveTimeout``) for a message and returns its frames,
    /// or nil when none arrived in time (or a signal interrupted the wait).
    ///
    /// - Throws: ``ZMQError``; ``ZMQError/isContextTerminated`` once the context shuts down.
    public func receive(timeout: Duration? = nil) throws(ZMQError) -> [Frame]? {
        guard try waitReadable(timeout: timeout ?? options.receiveTimeout) else { return nil }
        return try receiveAvailable()
    }

    /// True when a message can be read within `timeout`.
    func waitReadable(timeout: Duration) throws(ZMQError) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        return try ZMQError.poll { zmq_poll(&item, 1, Int(timeout.zmqMilliseconds)) } > 0
    }

    /// Reads a whole multipart message without waiting, or nil when none is queued.
    func receiveAvailable() throws(ZMQError) -> [Frame]? {
        var frames: [Frame] = []
        while true {
            let frame = Frame()
            do {
                try ZMQError.check("receive") { zmq_msg_recv(frame.message, handle, ZMQ_DONTWAIT) }
            } catch where error.isTimeout && frames.isEmpty {
                return nil
            }
            frames.append(frame)
            if !frame.hasMore { return frames }
        }
    }

    private static func describe(_ operation: String, _ endpoint: String) -> String {
        let known = ["tcp://", "ipc://", "inproc://"].contains { endpoint.hasPrefix($0) }
        let hint = known ? "" : " (endpoints are tcp://HOST:PORT or ipc:///PATH)"
        return "\(operation) \(endpoint)\(hint)"
    }

    private static func apply(_ options: SocketOptions, kind: Kind, to handle: UnsafeMutableRawPointer)
        throws(ZMQError)
    {
        func set<T: BitwiseCopyable>(_ option: Int32, _ name: String, _ value: T) throws(ZMQError) {
            try ZMQError.check("set \(name)") {
                withUnsafeBytes(of: value) { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
            }
        }
        try set(ZMQ_LINGER, "ZMQ_LINGER", options.linger.zmqMilliseconds)
        try set(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", Int64(options.maxMessageSize))
        try set(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", options.sendTimeout.zmqMilliseconds)
        try set(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", options.receiveTimeout.zmqMilliseconds)
        try set(ZMQ_SNDHWM, "ZMQ_SNDHWM", options.sendHighWaterMark)
        try set(ZMQ_RCVHWM, "ZMQ_RCVHWM", options.receiveHighWaterMark)
        if kind == .router {
            // Report unroutable replies (EHOSTUNREACH) instead of dropping them silently.
            try set(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", Int32(1))
        }
        if let routingId = options.routingId {
            try ZMQError.check("set ZMQ_ROUTING_ID") {
                routingId.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_ROUTING_ID, $0.baseAddress, $0.count) }
            }
        }
        if let curve = options.curve {
            try applyCurve(curve, to: handle)
        }
    }

    /// Sets the CURVE keys (as 32 binary bytes each) and the server flag; must run before bind or connect.
    private static func applyCurve(_ curve: CurveOptions, to handle: UnsafeMutableRawPointer) throws(ZMQError) {
        func setKey(_ option: Int32, _ name: String, _ key: String) throws(ZMQError) {
            guard let bytes = CurveKeys.binary(key) else {
                throw ZMQError(code: EINVAL, operation: "set \(name)", message: "not a 40-character Z85 CURVE key")
            }
            try ZMQError.check("set \(name)") {
                bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
            }
        }
        switch curve.role {
        case .server:
            var one: Int32 = 1
            try ZMQError.check("set ZMQ_CURVE_SERVER (is libzmq built with libsodium?)") {
                zmq_setsockopt(handle, ZMQ_CURVE_SERVER, &one, MemoryLayout<Int32>.size)
            }
            try setKey(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", curve.keys.secretKey)
            try ZMQError.check("set ZMQ_ZAP_DOMAIN") {
                CurveOptions.zapDomain.withCString { zmq_setsockopt(handle, ZMQ_ZAP_DOMAIN, $0, strlen($0)) }
            }
            // ZMQ_ZAP_ENFORCE_DOMAIN (93, draft API): refuse every client when no ZAP handler answers, instead
            // of admitting all. Libraries built without the draft API refuse the option; ignored then.
            _ = zmq_setsockopt(handle, 93, &one, MemoryLayout<Int32>.size)
        case .client(let serverKey):
            try setKey(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", serverKey)
            try setKey(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", curve.keys.publicKey)
            try setKey(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", curve.keys.secretKey)
        }
    }
}
