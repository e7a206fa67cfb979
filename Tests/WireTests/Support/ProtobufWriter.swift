import Wire

/// Writes protobuf wire format by hand, to build messages the Swift types cannot express (bad tensors, unknown
/// fields, other protocol versions).
struct ProtobufWriter {
    /// This build's protocol version, as an envelope's field 1 holds it.
    static let version = UInt64(Wire.protocolVersion)

    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A varint field (wire type 0).
    mutating func field(_ number: UInt64, varint value: UInt64) {
        varint(number << 3)
        varint(value)
    }

    /// A length-delimited field (wire type 2).
    mutating func field(_ number: UInt64, bytes value: [UInt8]) {
        varint(number << 3 | 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// An envelope with the given version (this build's unless told), request id and raw body field.
    static func envelope(
        version: UInt64 = ProtobufWriter.version, requestId: UInt64, bodyField: UInt64, body: [UInt8]
    ) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.field(1, varint: version)
        writer.field(2, varint: requestId)
        writer.field(bodyField, bytes: body)
        return writer.bytes
    }

    /// A `WorkResult` envelope (field 23) whose one subtree's gradient declares `shape` but carries `byteCount`
    /// bytes.
    static func gradientEnvelope(shape: [UInt64], byteCount: Int, requestId: UInt64 = 9) -> [UInt8] {
        var packedShape = ProtobufWriter()
        for dimension in shape { packedShape.varint(dimension) }
        var tensor = ProtobufWriter()
        tensor.field(1, bytes: packedShape.bytes)
        tensor.field(2, bytes: [UInt8](repeating: 0x3F, count: byteCount))
        var subtree = ProtobufWriter()
        subtree.field(3, bytes: tensor.bytes)
        var result = ProtobufWriter()
        result.field(1, bytes: Array("exp".utf8))
        result.field(5, bytes: subtree.bytes)
        return envelope(requestId: requestId, bodyField: 23, body: result.bytes)
    }
}

/// A deterministic byte generator (SplitMix64) for garbage input.
struct GarbageGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
