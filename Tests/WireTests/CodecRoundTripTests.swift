import Testing
import Wire

@Suite("Codec round trips")
struct CodecRoundTripTests {
    @Test("the examples hold one message of every case")
    func examplesCoverEveryCase() {
        let names = WireMessage.examples.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count == 28)
    }

    @Test("every message type survives encode and decode", arguments: WireMessage.examples)
    func roundTrip(_ message: WireMessage) throws {
        let codec = Codec()
        let envelope = Envelope(requestId: .max, message: message)
        let decoded = try codec.decode(codec.encode(envelope))
        #expect(decoded == envelope)
    }

    @Test("encoding is deterministic and encode(into:) reuses the buffer")
    func encodeIntoReusesBuffer() throws {
        let codec = Codec()
        var buffer: [UInt8] = []
        for message in WireMessage.examples + WireMessage.examples.reversed() {
            let envelope = Envelope(requestId: 3, message: message)
            codec.encode(envelope, into: &buffer)
            #expect(buffer == codec.encode(envelope))
            #expect(try codec.decode(buffer) == envelope)
        }
    }

    @Test("a 72,842-float tensor keeps every bit, including NaN payloads, signed zeros and subnormals")
    func modelSizedTensorIsBitExact() throws {
        var values = (0..<72_842).map { Float($0) * 0.37 - 1000 }
        values[0] = Float(bitPattern: 0x7FC0_1234)
        values[1] = -0.0
        values[2] = .leastNonzeroMagnitude
        values[3] = -.infinity
        let codec = Codec()
        let bytes = codec.encode(Envelope(requestId: 1, message: .gradient(Tensor(values))))
        #expect(bytes.count > 72_842 * 4 && bytes.count < 72_842 * 4 + 64)
        guard case .workResult(let decoded) = try codec.decode(bytes).message,
            case .inline(let tensor) = decoded.subtrees.first?.gradient
        else {
            Issue.record("decoded to another message")
            return
        }
        #expect(tensor.shape == [72_842])
        #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("tensors travel as little-endian float32")
    func tensorBytesAreLittleEndian() {
        let bytes = Codec().encode(
            Envelope(requestId: 1, message: .gradient(Tensor([1, -2]))))
        let expected: [UInt8] = [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        #expect(bytes.suffix(8).elementsEqual(expected))
    }

    @Test("shapes with several dimensions and empty tensors round-trip")
    func shapesRoundTrip() throws {
        let codec = Codec()
        for tensor in [
            Tensor(shape: [2, 3, 1], values: [1, 2, 3, 4, 5, 6]), Tensor(shape: [0, 64], values: []),
            Tensor(shape: [], values: [42]),
        ] {
            let envelope = Envelope(requestId: 1, message: .gradient(tensor))
            #expect(try codec.decode(codec.encode(envelope)) == envelope)
        }
    }

    @Test("error codes this build does not know are kept")
    func unknownErrorCodeIsKept() throws {
        var error = ProtobufWriter()
        error.field(1, varint: 99)
        error.field(2, bytes: Array("from the future".utf8))
        let bytes = ProtobufWriter.envelope(requestId: 4, bodyField: 60, body: error.bytes)
        let decoded = try Codec().decode(bytes)
        #expect(decoded.message == .error(WireError(ErrorCode(rawValue: 99), "from the future")))
        #expect(ErrorCode(rawValue: 99).description == "code 99")
    }
}
