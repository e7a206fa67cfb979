/// The version of the wire protocol this build speaks, carried in every ``Envelope``.
///
/// Bump it for any change an older peer cannot safely ignore. A peer that receives another version answers
/// with a ``ErrorCode/versionMismatch`` error naming both versions, and does nothing else. Version 2 removed
/// `Weights`, `EvaluationRequest` and `EvaluationResult` (envelope fields 24–26), which no peer sent, and added the
/// replica check's weights digests (`WorkAssignment` field 9, `WorkResult` field 10) and dataset delivery (envelope
/// fields 30–33). Version 3 sends a sharded member's gradient slices in pieces (`GradientSlices.offset`), which a
/// version-2 member would take for whole slices.
public let protocolVersion: UInt32 = 3

/// The largest ZeroMQ frame a socket accepts unless its ``SocketOptions`` say otherwise: 64 MiB.
public let defaultMaxMessageSize = 64 << 20
