/// One message on the wire: the protocol version, the request id and the body.
public struct Envelope: Hashable, Sendable {
    /// The sender's protocol version; a receiver answers any other version with ``ErrorCode/versionMismatch``.
    public var protocolVersion: UInt32
    /// Chosen by the requester; a reply carries the id of its request.
    public var requestId: UInt64
    /// The message itself.
    public var message: WireMessage

    /// Creates an envelope; `protocolVersion` defaults to this build's ``protocolVersion``.
    public init(requestId: UInt64, message: WireMessage, protocolVersion: UInt32 = Wire.protocolVersion) {
        self.protocolVersion = protocolVersion
        self.requestId = requestId
        self.message = message
    }
}
