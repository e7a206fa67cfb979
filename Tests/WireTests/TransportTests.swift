import Foundation
import Testing
import Wire

@Suite("ZeroMQ transport")
struct TransportTests {
    static let transports = ["tcp://127.0.0.1:*", "ipc"]

    private static func bindEndpoint(_ transport: String) -> String {
        transport == "ipc" ? TestServer.ipcEndpoint() : transport
    }

    @Test("every message type crosses an echo server unchanged", arguments: transports)
    func echoEveryMessage(transport: String) throws {
        let server = try TestServer(bind: Self.bindEndpoint(transport))
        defer { server.stop() }
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: server.endpoint)
        for message in WireMessage.examples {
            let id = try connection.send(message)
            let reply = try #require(try connection.receive(timeout: .seconds(10)))
            #expect(reply == Envelope(requestId: id, message: message))
        }
        let weights = WireMessage.weights(
            Weights(experimentId: "big", version: 2, tensor: Tensor((0..<72_842).map { Float($0) })))
        #expect(try connection.request(weights, timeout: .seconds(10)) == weights)
        #expect(server.stop().handled == WireMessage.examples.count + 1)
    }

    /// libzmq binds to an address, not a host name, and to IPv6 only when asked: the docs allow both forms.
    @Test("a host name and an IPv6 address bind and answer", arguments: ["tcp://localhost:*", "tcp://[::1]:*"])
    func hostNameAndIPv6Endpoints(bind: String) throws {
        let server = try TestServer(bind: bind)
        defer { server.stop() }
        let connection = try DealerConnection(context: ZMQContext(), connect: server.endpoint)
        let message = WireMessage.examples[0]
        #expect(try connection.request(message, timeout: .seconds(10)) == message)
    }

    @Test("request throws the peer's typed error, and the handler's failures become typed errors")
    func handlerErrors() throws {
        struct Broken: Error {}
        let server = try TestServer(bind: "tcp://127.0.0.1:*") { message in
            switch message.envelope.message {
            case .statusRequest(let request): throw WireError(.notFound, "no experiment \(request.experimentId)")
            case .listRequest: throw Broken()
            default: return nil
            }
        }
        defer { server.stop() }
        let connection = try DealerConnection(context: ZMQContext(), connect: server.endpoint)
        #expect(throws: WireError(.notFound, "no experiment x")) {
            try connection.request(.statusRequest(ExperimentRequest(experimentId: "x")), timeout: .seconds(10))
        }
        let error = try #require(throws: WireError.self) {
            try connection.request(.listRequest(ListRequest()), timeout: .seconds(10))
        }
        #expect(error.code == .internal)
        #expect(error.message.hasPrefix("listRequest failed"))
    }

    @Test("a peer with another protocol version gets a typed error naming both versions, and nothing else happens")
    func versionMismatchOverTheWire() throws {
        let server = try TestServer(bind: TestServer.ipcEndpoint())
        defer { server.stop() }
        let context = try ZMQContext()
        let socket = try ZMQSocket(.dealer, context: context)
        try socket.connect(server.endpoint)
        try socket.send(
            [Codec().encode(Envelope(requestId: 41, message: .listRequest(ListRequest()), protocolVersion: 3))])
        let frames = try #require(try socket.receive(timeout: .seconds(10)))
        #expect(frames.count == 1)
        let reply = try Codec().decode(frames[0])
        #expect(reply.requestId == 41)
        #expect(reply.message == .error(.versionMismatch(received: 3)))
        #expect(try socket.receive(timeout: .milliseconds(200)) == nil)
        let result = server.stop()
        #expect(result.handled == 0)
        #expect(result.rejected == 1)
        #expect(result.log.count == 1 && result.log[0].contains("versionMismatch"))
    }

    @Test("a request nobody answers times out instead of blocking")
    func requestTimesOut() throws {
        var options = SocketOptions()
        options.linger = .zero
        let endpoint = TestServer.ipcEndpoint()
        let connection = try DealerConnection(context: ZMQContext(), connect: endpoint, options: options)
        let start = ContinuousClock.now
        let error = try #require(throws: ZMQError.self) {
            try connection.request(.listRequest(ListRequest()), timeout: .milliseconds(200))
        }
        #expect(error.isTimeout)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try connection.receive(timeout: .milliseconds(50)) == nil)
    }

    @Test("a poller reports which sockets are readable, and nothing after its timeout")
    func poller() throws {
        let server = try TestServer(bind: "tcp://127.0.0.1:*")
        defer { server.stop() }
        let context = try ZMQContext()
        let quiet = try DealerConnection(context: context, connect: server.endpoint)
        let busy = try DealerConnection(context: context, connect: server.endpoint)
        let poller = Poller([quiet.socket, busy.socket])
        #expect(try poller.poll(timeout: .milliseconds(20)).isEmpty)
        try busy.send(.heartbeat(Heartbeat(sentAtNanos: 5)))
        var ready: [Int] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ready.isEmpty && ContinuousClock.now < deadline {
            ready = try poller.poll(timeout: .milliseconds(100))
        }
        #expect(ready == [1])
        #expect(try busy.receive(timeout: .zero)?.message == .heartbeat(Heartbeat(sentAtNanos: 5)))
    }

    @Test("endpoint errors name the endpoint")
    func endpointErrors() throws {
        let context = try ZMQContext()
        let first = try RouterEndpoint(context: context, bind: ["tcp://127.0.0.1:*"])
        let taken = first.endpoints[0]
        let inUse = try #require(throws: ZMQError.self) {
            try RouterEndpoint(context: context, bind: [taken])
        }
        #expect(inUse.description.hasPrefix("bind \(taken):"))
        let malformed = try #require(throws: ZMQError.self) {
            try DealerConnection(context: context, connect: "localhost:5555")
        }
        #expect(malformed.description.contains("endpoints are tcp://HOST:PORT or ipc:///PATH"))
    }

    @Test("one router binds tcp and ipc at once")
    func routerOnTwoTransports() throws {
        let context = try ZMQContext()
        let router = try RouterEndpoint(context: context, bind: ["tcp://127.0.0.1:*", TestServer.ipcEndpoint()])
        #expect(router.endpoints.count == 2)
        #expect(router.endpoints[0].hasPrefix("tcp://127.0.0.1:") && !router.endpoints[0].hasSuffix("*"))
        #expect(router.endpoints[1].hasPrefix("ipc://"))
        defer { TestServer.removeSocketFile(router.endpoints[1]) }
        for endpoint in router.endpoints {
            let connection = try DealerConnection(context: context, connect: endpoint)
            try connection.send(.listRequest(ListRequest()), requestId: 8)
            guard case .message(let inbound)? = try router.receive(timeout: .seconds(10)) else {
                Issue.record("no message from \(endpoint)")
                continue
            }
            #expect(inbound.envelope == Envelope(requestId: 8, message: .listRequest(ListRequest())))
            let empty = WireMessage.listReply(ListReply(experiments: []))
            try router.send(empty, requestId: 8, to: inbound.peer)
            #expect(try connection.receive(timeout: .seconds(10)) == Envelope(requestId: 8, message: empty))
        }
    }

    @Test("sending more than the size limit is refused before it leaves")
    func sendTooLarge() throws {
        var options = SocketOptions()
        options.maxMessageSize = 1000
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: TestServer.ipcEndpoint(), options: options)
        let tensor = Tensor([Float](repeating: 1, count: 300))
        let message = WireMessage.weights(Weights(experimentId: "", version: 0, tensor: tensor))
        let error = try #require(throws: WireError.self) { try connection.send(message) }
        #expect(error.code == .tooLarge)
    }

    @Test("a reply to a peer that is gone fails at once")
    func replyToUnknownPeer() throws {
        let router = try RouterEndpoint(context: ZMQContext(), bind: ["tcp://127.0.0.1:*"])
        let error = try #require(throws: ZMQError.self) {
            try router.send(.listRequest(ListRequest()), requestId: 1, to: PeerID([1, 2, 3]))
        }
        #expect(error.code == EHOSTUNREACH)
    }
}
