import CZeroMQ
import Foundation

/// Lets a helper thread answer some of a ``RouterEndpoint``'s requests while only the endpoint's own thread (the
/// owner) touches the ROUTER socket, which ZeroMQ sockets require: two PAIR sockets joined over `inproc://`.
///
/// The owner passes a request on with ``Owner/forward(_:from:)``; the helper takes it with
/// ``Helper/receive(timeout:)``, encodes its reply straight into a ZeroMQ message and sends it back with
/// ``Helper/reply(_:requestId:to:)``; the owner, when ``Owner/socket`` is readable, sends the replies on with
/// ``Owner/relay(through:)``. That moves each reply's ZeroMQ message to the ROUTER as it is: the owner neither
/// copies nor decodes it (inproc hands the message's buffer over, it does not copy it), so a large reply costs
/// the owner's thread a few microseconds. Each message on the pair is two frames, the peer's routing id and the
/// envelope.
public enum InprocRelay {
    /// Creates the two ends in `context`, at most `queue` messages waiting in each direction: beyond that
    /// ``Owner/forward(_:from:)`` fails at once with `EAGAIN`, so the owner never waits for the helper.
    ///
    /// - Throws: ``ZMQError`` when libzmq refuses a socket.
    public static func make(context: ZMQContext, queue: Int32 = 256) throws(ZMQError) -> (Owner, Helper) {
        var options = SocketOptions()
        options.linger = .zero
        options.sendHighWaterMark = queue
        options.receiveHighWaterMark = queue
        options.sendTimeout = .zero
        let address = "inproc://relay-\(UUID().uuidString)"
        let helper = try ZMQSocket(.pair, context: context, options: options)
        try helper.bind(address)
        let owner = try ZMQSocket(.pair, context: context, options: options)
        try owner.connect(address)
        return (Owner(socket: owner), Helper(socket: helper))
    }

    /// The end used by the thread that owns the ROUTER socket.
    public final class Owner {
        /// Readable when replies wait to be relayed: poll it beside the ROUTER's socket.
        public let socket: ZMQSocket
        private let codec: Codec

        init(socket: ZMQSocket) {
            self.socket = socket
            codec = Codec(maxMessageSize: socket.options.maxMessageSize)
        }

        /// Passes `envelope` from `peer` to the helper without waiting.
        ///
        /// - Throws: ``ZMQError`` (`EAGAIN`) when ``InprocRelay/make(context:queue:)``'s queue is full.
        public func forward(_ envelope: Envelope, from peer: PeerID) throws {
            try socket.send(envelope, prefix: [peer.bytes], codec: codec, immediately: true)
        }

        /// Sends every reply the helper has queued on through `router`, each to the peer it names, without copying
        /// it. Returns the replies that could not be sent (the peer gone, or its queue full), with why.
        ///
        /// - Throws: ``ZMQError`` only when this end's socket fails (``ZMQError/isContextTerminated`` at shutdown).
        public func relay(through router: RouterEndpoint) throws(ZMQError) -> [(peer: PeerID, error: ZMQError)] {
            var failed: [(peer: PeerID, error: ZMQError)] = []
            while let frames = try socket.receiveAvailable() {
                guard frames.count == 2 else { continue }  // never sent by a ``Helper``
                do {
                    try router.socket.send(frames: frames, immediately: true)
                } catch {
                    failed.append((PeerID(frames[0].bytes), error))
                }
            }
            return failed
        }
    }

    /// The end used by the helper thread.
    public final class Helper {
        private let socket: ZMQSocket
        private let codec: Codec

        init(socket: ZMQSocket) {
            self.socket = socket
            codec = Codec(maxMessageSize: socket.options.maxMessageSize)
        }

        /// The next forwarded request and the peer it came from, or nil when none came within `timeout`.
        ///
        /// - Throws: ``ZMQError`` (``ZMQError/isContextTerminated`` once the context shuts down).
        public func receive(timeout: Duration) throws(ZMQError) -> (peer: PeerID, envelope: Envelope)? {
            guard let frames = try socket.receive(timeout: timeout) else { return nil }
            // The owner forwarded an envelope it had decoded: both always hold.
            guard frames.count == 2, let envelope = try? codec.decode(frames[1]) else { return nil }
            return (PeerID(frames[0].bytes), envelope)
        }

        /// Encodes `message` into a ZeroMQ message and queues it for the owner to send to `peer`.
        ///
        /// - Throws: ``ZMQError`` (`EAGAIN`) when the owner has not taken the replies queued before; ``WireError``
        ///   (``ErrorCode/tooLarge``) above the size limit.
        public func reply(_ message: WireMessage, requestId: UInt64, to peer: PeerID) throws {
            try socket.send(Envelope(requestId: requestId, message: message), prefix: [peer.bytes], codec: codec,
                            immediately: true)
        }
    }
}
