/// The options a ``ZMQSocket`` is created with.
///
/// Security (CURVE keys) is set here too, so every socket of the system gets it in one place, before it binds or
/// connects.
public struct SocketOptions: Hashable, Sendable {
    /// How long closing the socket may wait for unsent messages (`ZMQ_LINGER`).
    public var linger: Duration = .seconds(1)
    /// The largest frame the socket accepts (`ZMQ_MAXMSGSIZE`); a peer sending more is disconnected by libzmq.
    /// The codec of an endpoint refuses to decode, and refuses to send, anything larger.
    public var maxMessageSize: Int = defaultMaxMessageSize
    /// The longest a send may wait for room in the queue (`ZMQ_SNDTIMEO`).
    public var sendTimeout: Duration = .seconds(5)
    /// The default wait of a receive that names no timeout (`ZMQ_RCVTIMEO`).
    public var receiveTimeout: Duration = .seconds(5)
    /// Messages queued per peer before sends wait or fail (`ZMQ_SNDHWM`).
    public var sendHighWaterMark: Int32 = 1000
    /// Messages queued per peer before the peer is told to wait (`ZMQ_RCVHWM`).
    public var receiveHighWaterMark: Int32 = 1000
    /// The identity a DEALER presents to a ROUTER (`ZMQ_ROUTING_ID`); nil lets the ROUTER pick one.
    public var routingId: [UInt8]?
    /// CURVE encryption and authentication; nil for none (plain ZMTP, for loopback and `ipc://` only, see
    /// `Docs/Security.md`).
    public var curve: CurveOptions?

    /// The defaults: 1 s linger, 64 MiB messages, 5 s send and receive timeouts, 1000-message queues, no CURVE.
    public init() {}
}
