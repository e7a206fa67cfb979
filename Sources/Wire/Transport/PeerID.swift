/// The identity a ROUTER socket gives a connected peer; replies are addressed with it.
public struct PeerID: Hashable, Sendable, CustomStringConvertible {
    /// The routing id bytes libzmq assigned (or the peer chose with ``SocketOptions/routingId``).
    public let bytes: [UInt8]

    /// Wraps routing id bytes.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The routing id in hex, for logs.
    public var description: String {
        "peer-" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
