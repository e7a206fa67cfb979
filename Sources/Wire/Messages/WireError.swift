/// A typed protocol error: thrown by the codec, and sent to a peer as an ``WireMessage/error(_:)`` reply.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: ErrorCode
    /// What went wrong and, where possible, what to do about it.
    public var message: String

    /// Creates an error with a code and a human-readable message.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs and CLI output.
    public var description: String {
        "\(code): \(message)"
    }

    /// The answer to a peer that speaks another protocol version; it names both versions.
    public static func versionMismatch(received: UInt32) -> WireError {
        WireError(
            .versionMismatch,
            "peer speaks wire protocol version \(received), this process speaks version \(Wire.protocolVersion); "
                + "run the same DistEmbed release on both sides")
    }

    /// The answer to a message larger than the receiver accepts.
    public static func tooLarge(size: Int, limit: Int) -> WireError {
        WireError(.tooLarge, "message of \(size) bytes exceeds the limit of \(limit) bytes")
    }
}
