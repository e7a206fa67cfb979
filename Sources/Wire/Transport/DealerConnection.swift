/// A worker's or the CLI's side of the wire: a DEALER socket connected to a ``RouterEndpoint``.
///
/// Each message is one frame, the encoded ``Envelope``. Use from one thread.
public final class DealerConnection {
    /// The underlying socket, for a ``Poller``.
    public let socket: ZMQSocket
    /// The endpoint connected to.
    public let endpoint: String
    private let codec: Codec
    private var nextRequestId: UInt64 = 1

    /// Connects a DEALER socket to `endpoint`; the ROUTER need not be up yet.
    ///
    /// - Throws: ``ZMQError`` when the endpoint is malformed.
    public init(context: ZMQContext, connect endpoint: String, options: SocketOptions = SocketOptions())
        throws(ZMQError)
    {
        socket = try ZMQSocket(.dealer, context: context, options: options)
        try socket.connect(endpoint)
        self.endpoint = endpoint
        codec = Codec(maxMessageSize: options.maxMessageSize)
    }

    /// Sends `message`, waiting at most ``SocketOptions/sendTimeout`` for queue room.
    ///
    /// - Parameter requestId: the id to send; nil takes the next one of this connection.
    /// - Returns: the request id sent.
    /// - Throws: ``ZMQError`` on timeout, or ``WireError`` (``ErrorCode/tooLarge``) when the encoding exceeds
    ///   ``SocketOptions/maxMessageSize``.
    @discardableResult
    public func send(_ message: WireMessage, requestId: UInt64? = nil) throws -> UInt64 {
        let id = requestId ?? takeRequestId()
        try socket.send(Envelope(requestId: id, message: message), prefix: [], codec: codec, immediately: false)
        return id
    }

    /// Waits up to `timeout` (default ``SocketOptions/receiveTimeout``) for the next envelope; nil when none came.
    ///
    /// - Throws: ``WireError`` when what arrived is not a valid envelope of this version, ``ZMQError`` when the
    ///   socket fails.
    public func receive(timeout: Duration? = nil) throws -> Envelope? {
        guard let frames = try socket.receive(timeout: timeout) else { return nil }
        guard frames.count == 1 else {
            throw WireError(.badRequest, "expected one frame (the envelope) from \(endpoint), got \(frames.count)")
        }
        return try codec.decode(frames[0])
    }

    /// Sends `message` and waits for the reply carrying its request id; replies to earlier requests are skipped.
    ///
    /// - Returns: the reply's message.
    /// - Throws: the ``WireError`` the peer answered with (an ``WireMessage/error(_:)`` reply), or a ``ZMQError``
    ///   with ``ZMQError/isTimeout`` when no reply came within `timeout` (default ``SocketOptions/receiveTimeout``).
    public func request(_ message: WireMessage, timeout: Duration? = nil) throws -> WireMessage {
        let timeout = timeout ?? socket.options.receiveTimeout
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let id = try send(message)
        while clock.now < deadline {
            guard let reply = try receive(timeout: deadline - clock.now), reply.requestId == id else { continue }
            if case .error(let error) = reply.message { throw error }
            return reply.message
        }
        throw ZMQError.timedOut("\(message.name) request to \(endpoint)", after: timeout)
    }

    private func takeRequestId() -> UInt64 {
        defer { nextRequestId &+= 1 }
        return nextRequestId
    }
}
