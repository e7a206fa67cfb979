/// What a ``RouterEndpoint`` received from one peer.
public enum Inbound: Sendable {
    /// A well-formed envelope of this protocol version.
    case message(InboundMessage)
    /// Bad input: garbage, a truncated or oversized message, another protocol version, the wrong frame count.
    /// Answer it with ``RouterEndpoint/send(_:requestId:to:)`` and an ``WireMessage/error(_:)``, and log it.
    case invalid(peer: PeerID, requestId: UInt64, error: WireError)
}

/// A decoded envelope and the peer that sent it.
public struct InboundMessage: Sendable {
    /// Who sent it; replies go back to this peer.
    public let peer: PeerID
    /// The message.
    public let envelope: Envelope
    /// With CURVE, the public key (Z85) the sender's connection was admitted with: who sent it, as CURVE proved.
    public let senderKey: String?

    /// Wraps a received envelope.
    public init(peer: PeerID, envelope: Envelope, senderKey: String? = nil) {
        self.peer = peer
        self.envelope = envelope
        self.senderKey = senderKey
    }
}

/// The coordinator's side of the wire: a ROUTER socket bound to one or more endpoints, speaking envelopes.
///
/// Framing: a peer sends messages of exactly one frame, the encoded ``Envelope``; the ROUTER sees
/// `[identity, envelope]` and replies the same way. Use from one thread.
public final class RouterEndpoint {
    /// The underlying socket, for a ``Poller``.
    public let socket: ZMQSocket
    /// The bound endpoints with any `*` port resolved, in the order given.
    public let endpoints: [String]
    private let codec: Codec

    /// Binds a ROUTER socket to every endpoint in `endpoints` (`tcp://...`, `ipc://...`).
    ///
    /// - Throws: ``ZMQError`` naming the endpoint that could not be bound.
    public init(context: ZMQContext, bind endpoints: [String], options: SocketOptions = SocketOptions())
        throws(ZMQError)
    {
        socket = try ZMQSocket(.router, context: context, options: options)
        var resolved: [String] = []
        for endpoint in endpoints {
            try socket.bind(endpoint)
            resolved.append(socket.lastEndpoint)
        }
        self.endpoints = resolved
        codec = Codec(maxMessageSize: options.maxMessageSize)
    }

    /// Waits up to `timeout` for the next message; nil when none arrived.
    ///
    /// - Throws: ``ZMQError`` only for socket failures; bad input comes back as
    ///   ``Inbound/invalid(peer:requestId:error:)``.
    public func receive(timeout: Duration) throws(ZMQError) -> Inbound? {
        guard let frames = try socket.receive(timeout: timeout) else { return nil }
        let peer = PeerID(frames[0].bytes)
        guard frames.count == 2 else {
            return .invalid(
                peer: peer, requestId: 0,
                error: WireError(
                    .badRequest, "expected one frame (the envelope) per message, got \(frames.count - 1) frames"))
        }
        switch frames[1].withUnsafeBytes({ codec.decodeEnvelope($0) }) {
        case .success(let envelope):
            return .message(InboundMessage(peer: peer, envelope: envelope, senderKey: frames[1].userId))
        case .failure(let failure):
            return .invalid(peer: peer, requestId: failure.requestId, error: failure.error)
        }
    }

    /// Sends `message` to `peer` without waiting: a peer that is gone or not reading makes this throw at once,
    /// so one slow peer never stalls the others.
    ///
    /// - Throws: ``ZMQError`` (`EHOSTUNREACH`: peer gone; `EAGAIN`: its queue is full), or
    ///   ``WireError`` (``ErrorCode/tooLarge``) when the encoding exceeds ``SocketOptions/maxMessageSize``.
    public func send(_ message: WireMessage, requestId: UInt64, to peer: PeerID) throws {
        try send(Envelope(requestId: requestId, message: message), to: peer)
    }

    /// Sends a prepared envelope to `peer` (see ``send(_:requestId:to:)``).
    public func send(_ envelope: Envelope, to peer: PeerID) throws {
        try socket.send(envelope, prefix: [peer.bytes], codec: codec, immediately: true)
    }
}
