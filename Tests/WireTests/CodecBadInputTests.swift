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

    @Test("a body field this version does not know")
    func unknownOneofCase() {
        let bytes = ProtobufWriter.envelope(requestId: 5, bodyField: 99, body: [0x08, 0x01])
        let error = decodeError(bytes)
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("field 99") == true)
    }

    @Test("an envelope without a body or without a version")
    func missingParts() {
        var versionOnly = ProtobufWriter()
        versionOnly.field(1, varint: ProtobufWriter.version)
        #expect(decodeError(versionOnly.bytes) == WireError(.badRequest, "envelope has no body"))
        #expect(decodeError([]) == WireError(.badRequest, "envelope carries no protocol version"))
    }

    @Test("another protocol version is named in the error, whatever the body")
    func versionMismatch() {
        let codec = Codec()
        let newer = codec.encode(Envelope(requestId: 1, message: .listRequest(ListRequest()), protocolVersion: 3))
        let unknownBody = ProtobufWriter.envelope(version: 7, requestId: 1, bodyField: 99, body: [])
        for (bytes, version) in [(newer, 3), (unknownBody, 7)] {
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
            Envelope(requestId: 1, message: .weights(Weights(experimentId: "", version: 0, tensor: tensor))))
        #expect(decodeError(bytes, codec: codec) == .tooLarge(size: bytes.count, limit: 1000))
    }

    static let mismatchedTensors: [([UInt64], Int)] = [
        ([3], 8), ([3], 16), ([2, 2], 12), ([0], 4), ([], 0), ([4_294_967_295, 4_294_967_295, 4_294_967_295], 4),
    ]

    @Test("a tensor whose byte count does not match its shape", arguments: mismatchedTensors)
    func tensorShapeMismatch(shape: [UInt64], byteCount: Int) {
        let error = decodeError(ProtobufWriter.weightsEnvelope(shape: shape, byteCount: byteCount))
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("Weights.tensor") == true)
    }

    @Test("a required tensor that is missing")
    func missingTensor() {
        var weights = ProtobufWriter()
        weights.field(2, varint: 1)
        let error = decodeError(ProtobufWriter.envelope(requestId: 1, bodyField: 24, body: weights.bytes))
        #expect(error == WireError(.badRequest, "required field Weights.tensor is missing"))
    }

    @Test("an enum value this version does not know")
    func unknownEnumValue() {
        var request = ProtobufWriter()
        request.field(3, varint: 9)
        request.field(4, varint: 1)
        let error = decodeError(ProtobufWriter.envelope(requestId: 1, bodyField: 25, body: request.bytes))
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("evaluation kind 9") == true)
    }
}
