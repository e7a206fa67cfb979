import Foundation
import Testing
import Wire

/// Thousands of bad messages against a live server, which must answer each with a typed error and keep serving.
@Suite("A live endpoint survives bad input")
struct LiveBadInputTests {
    /// One kind of bad message: the frames to send and the error code the reply must carry.
    struct BadInput {
        var frames: [[UInt8]]
        var expected: Set<ErrorCode>
    }

    static func badInputs(count: Int) -> [BadInput] {
        var generator = GarbageGenerator(seed: 7)
        let codec = Codec()
        let valid = codec.encode(Envelope(requestId: 3, message: WireMessage.examples[8]))
        let bad: Set<ErrorCode> = [.badRequest]
        return (0..<count).map { index in
            switch index % 8 {
            case 0: BadInput(frames: [generator.bytes(count: Int(generator.next() % 200) + 1)],
                             expected: [.badRequest, .versionMismatch])
            case 1: BadInput(frames: [Array(valid.prefix(Int(generator.next() % UInt64(valid.count))))], expected: bad)
            case 2: BadInput(frames: [ProtobufWriter.envelope(requestId: 1, bodyField: 77, body: [])],
                             expected: bad)
            case 3: BadInput(
                frames: [codec.encode(Envelope(requestId: 1, message: .listRequest(ListRequest()), protocolVersion: 9))],
                expected: [.versionMismatch])
            case 4: BadInput(frames: [ProtobufWriter.weightsEnvelope(shape: [10], byteCount: 36)], expected: bad)
            case 5: BadInput(frames: [[]], expected: bad)
            case 6: BadInput(frames: [valid, valid], expected: bad)
            default: BadInput(frames: [valid, [], generator.bytes(count: 5)], expected: bad)
            }
        }
    }

    @Test("4,000 bad messages, then an oversized one, then a good request is answered")
    func floodThenServe() throws {
        var options = SocketOptions()
        options.maxMessageSize = 1 << 20
        let server = try TestServer(bind: TestServer.ipcEndpoint(), options: options)
        defer { server.stop() }
        let context = try ZMQContext()
        let raw = try ZMQSocket(.dealer, context: context)
        try raw.connect(server.endpoint)
        let codec = Codec()
        let inputs = Self.badInputs(count: 4000)
        var mismatches = 0
        for batch in stride(from: 0, to: inputs.count, by: 200) {
            let slice = inputs[batch..<min(batch + 200, inputs.count)]
            for input in slice { try raw.send(input.frames) }
            for input in slice {
                let frames = try #require(try raw.receive(timeout: .seconds(10)), "no reply to bad input")
                let reply = try codec.decode(frames[0])
                guard case .error(let error) = reply.message, input.expected.contains(error.code) else {
                    mismatches += 1
                    continue
                }
            }
        }
        #expect(mismatches == 0)

        let oversized = try ZMQSocket(.dealer, context: context)
        try oversized.connect(server.endpoint)
        try oversized.send([[UInt8](repeating: 0x0A, count: 2 << 20)])

        let connection = try DealerConnection(context: context, connect: server.endpoint)
        let summary = ExperimentSummary(id: "ok", name: "ok", state: .done, createdAt: 1)
        #expect(try connection.request(.statusReply(summary), timeout: .seconds(10)) == .statusReply(summary))
        try raw.send([codec.encode(Envelope(requestId: 12, message: .listRequest(ListRequest())))])
        let frames = try #require(try raw.receive(timeout: .seconds(10)))
        #expect(try codec.decode(frames[0]) == Envelope(requestId: 12, message: .listRequest(ListRequest())))

        let result = server.stop()
        #expect(result.rejected == inputs.count)
        #expect(result.handled == 2)
        #expect(result.log.count == inputs.count)
    }
}
