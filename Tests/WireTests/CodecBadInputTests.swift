import Testing
import Wire

@Suite("Codec rejects bad input with typed errors")
struct CodecBadInputTests {
    private func decodeError(_ bytes: [UInt8], codec: Codec = Codec()) -> WireError? {
        do {
            _ = try codec.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("garbage bytes")
    func garbage() {
        var generator = GarbageGenerator(seed: 1)
        let codec = Codec()
        for _ in 0..<5000 {
            let bytes = generator.bytes(count: Int(generator.next() % 400) + 1)
            let error = decodeError(bytes, codec: codec)
            #expect(error?.code == .badRequest || error?.code == .versionMismatch, "\(bytes.prefix(16))")
        }
    }

    @Test("every truncation of every message type", arguments: WireMessage.examples)
    func truncated(_ message: WireMessage) {
        let codec = Codec()
        let bytes = codec.encode(Envelope(requestId: 77, message: message))
        for length in 0..<bytes.count {
            #expect(decodeError(Array(bytes.prefix(length)), codec: codec)?.code == .badRequest)
        }
    }

    /// 24–26 are the messages version 2 removed (`Weights`, `EvaluationRequest`, `EvaluationResult`).
    @Test("a body field this version does not know", arguments: [24, 25, 26, 99] as [UInt64])
    func unknownOneofCase(field: UInt64) {
        let bytes = ProtobufWriter.envelope(requestId: 5, bodyField: field, body: [0x08, 0x01])
        let error = decodeError(bytes)
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("field \(field) is not part of protocol version \(Wire.protocolVersion)") == true)
    }

    @Test("an envelope without a body or without a version")
    func missingParts() {
        var versionOnly = ProtobufWriter()
        versionOnly.field(1, varint: UInt64(Wire.protocolVersion))
        #expect(decodeError(versionOnly.bytes) == WireError(.badRequest, "envelope has no body"))
        #expect(decodeError([]) == WireError(.badRequest, "envelope carries no protocol version"))
    }

    @Test("another protocol version is named in the error, whatever the body")
    func versionMismatch() {
        let codec = Codec()
        let older = codec.encode(Envelope(requestId: 1, message: .listRequest(ListRequest()), protocolVersion: 1))
        let unknownBody = ProtobufWriter.envelope(version: 7, requestId: 1, bodyField: 99, body: [])
        for (bytes, version) in [(older, 1), (unknownBody, 7)] {
            let error = decodeError(bytes, codec: codec)
            #expect(error?.code == .versionMismatch)
            #expect(error?.message.contains("version \(version)") == true)
            #expect(error?.message.contains("version \(Wire.protocolVersion)") == true)
        }
    }

    @Test("a message over the size limit")
    func tooLarge() {
        let codec = Codec(maxMessageSize: 1000)
        let tensor = Tensor([Float](repeating: 0, count: 300))
        let bytes = Codec().encode(
            Envelope(requestId: 1, message: .gradient(tensor)))
        #expect(decodeError(bytes, codec: codec) == .tooLarge(size: bytes.count, limit: 1000))
    }

    static let mismatchedTensors: [([UInt64], Int)] = [
        ([3], 8), ([3], 16), ([2, 2], 12), ([0], 4), ([], 0), ([4_294_967_295, 4_294_967_295, 4_294_967_295], 4),
    ]

    @Test("a tensor whose byte count does not match its shape", arguments: mismatchedTensors)
    func tensorShapeMismatch(shape: [UInt64], byteCount: Int) {
        let error = decodeError(ProtobufWriter.gradientEnvelope(shape: shape, byteCount: byteCount))
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("Subtree.gradient") == true)
    }

    @Test("a required tensor that is missing")
    func missingTensor() {
        var subtree = ProtobufWriter()
        subtree.field(1, varint: 1)
        var result = ProtobufWriter()
        result.field(5, bytes: subtree.bytes)
        let error = decodeError(ProtobufWriter.envelope(requestId: 1, bodyField: 23, body: result.bytes))
        #expect(error == WireError(.badRequest, "required field Subtree.gradient (or Subtree.shared_slot) is missing"))
    }

    @Test("an enum value this version does not know")
    func unknownEnumValue() {
        var summary = ProtobufWriter()
        summary.field(1, bytes: Array("exp-0001".utf8))
        summary.field(3, varint: 9)
        var reply = ProtobufWriter()
        reply.field(1, bytes: summary.bytes)
        let error = decodeError(ProtobufWriter.envelope(requestId: 1, bodyField: 45, body: reply.bytes))
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("ExperimentSummary.state has unknown value 9") == true)
    }
}
