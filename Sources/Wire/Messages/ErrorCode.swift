/// Why a request failed: an extensible code, so values added by newer peers still decode.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code's number on the wire (`ErrorCode` in `distembed.proto`).
    public var rawValue: UInt32

    /// Wraps a wire value; unknown values are kept as they are.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A failure the sender could not classify, or a code this build does not know.
    public static let unknown = ErrorCode(rawValue: 0)
    /// The message was malformed: garbage bytes, a missing body, a bad tensor, the wrong frame count.
    public static let badRequest = ErrorCode(rawValue: 1)
    /// The peers speak different protocol versions.
    public static let versionMismatch = ErrorCode(rawValue: 2)
    /// The message exceeds the receiver's size limit.
    public static let tooLarge = ErrorCode(rawValue: 3)
    /// The experiment (or other object) named in the request does not exist.
    public static let notFound = ErrorCode(rawValue: 4)
    /// The experiment spec does not parse or validate.
    public static let invalidSpec = ErrorCode(rawValue: 5)
    /// The peer is not allowed to make this request.
    public static let unauthorized = ErrorCode(rawValue: 6)
    /// The worker's dataset files differ from the coordinator's (SHA-256).
    public static let datasetMismatch = ErrorCode(rawValue: 7)
    /// The worker's kernel fingerprint differs from the experiment's: its results would not be bit-identical.
    public static let fingerprintMismatch = ErrorCode(rawValue: 8)
    /// The receiver cannot take the request now; retry later.
    public static let busy = ErrorCode(rawValue: 9)
    /// The receiver failed while serving a valid request.
    public static let `internal` = ErrorCode(rawValue: 10)

    private static let names: [UInt32: String] = [
        0: "unknown", 1: "badRequest", 2: "versionMismatch", 3: "tooLarge", 4: "notFound", 5: "invalidSpec",
        6: "unauthorized", 7: "datasetMismatch", 8: "fingerprintMismatch", 9: "busy", 10: "internal",
    ]

    /// The code's name (`badRequest`), or `code N` for a value this build does not know.
    public var description: String {
        Self.names[rawValue] ?? "code \(rawValue)"
    }
}
