import Core
import Foundation
import Logging
import Testing
import Wire

@testable import Coordinator

/// The serving thread as the loop sees it: requests answered `busy` while the set is hashed (not held), then
/// answered by the thread and relayed through the ROUTER to the peer; a set that cannot be read, or serving turned
/// off, said so; fetches logged at most once every ten seconds.
@Suite struct DataServiceTests {
    /// A ROUTER and a DEALER connected to it over inproc, in `context`.
    static func link(_ context: ZMQContext) throws -> (RouterEndpoint, DealerConnection) {
        let address = "inproc://data-service-\(UUID().uuidString)"
        return (try RouterEndpoint(context: context, bind: [address]), try DealerConnection(context: context,
                                                                                              connect: address))
    }

    static func service(
        _ context: ZMQContext, rate: Double = 1e9, build: @escaping @Sendable () throws -> DatasetPieceSource
    ) throws -> DataService {
        try DataService(rate: rate, corruptPieces: 0, context: context, logger: Logger(label: "test"), metrics: nil,
                        build: build)
    }

    /// Sends `message` from `dealer`, passes it to `service` as the loop does, and relays the thread's reply.
    static func ask(_ message: WireMessage, _ service: DataService, _ router: RouterEndpoint,
                    _ dealer: DealerConnection) throws -> WireMessage {
        try dealer.send(message)
        guard case .message(let inbound)? = try router.receive(timeout: .seconds(5)) else {
            throw WireError(.internal, "the router received nothing")
        }
        do {
            try service.forward(inbound.envelope, from: inbound.peer)
        } catch {
            return .error(error)
        }
        let poller = Poller([try #require(service.socket)])
        #expect(try poller.poll(timeout: .seconds(5)) == [0], "the thread answered")
        #expect(try service.relayReplies(through: router).isEmpty)
        return try #require(try dealer.receive(timeout: .seconds(5))).message
    }

    @Test func aRequestWhileTheSetIsHashedIsAnsweredBusyThenServed() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }  // ends the serving thread, so the context can close
        let (router, dealer) = try Self.link(context)
        let hashed = DispatchSemaphore(value: 0)
        let source = try DataServerTests.source()
        let service = try Self.service(context) {
            hashed.wait()  // the hashing goes on until the test lets it end
            return source
        }
        let early = try Self.ask(.dataManifestRequest, service, router, dealer)
        guard case .error(let error) = early else { Issue.record("answered \(early.name)"); return }
        #expect(error.code == .busy && error.message.contains("ask again"), "\(error)")
        hashed.signal()
        while case .hashing = service.current { Thread.sleep(forTimeInterval: 0.01) }
        let manifest = try Self.ask(.dataManifestRequest, service, router, dealer)
        guard case .dataManifest(let served) = manifest else { Issue.record("answered \(manifest.name)"); return }
        #expect(served.digest == source.manifest.digest)
        let piece = try Self.ask(.dataPieceRequest(DataPieceRequest(manifestDigest: served.digest, file: 0, piece: 1)),
                                 service, router, dealer)
        guard case .dataPiece(let bytes) = piece else { Issue.record("answered \(piece.name)"); return }
        #expect(bytes.data == source.piece(file: 0, piece: 1))
    }

    @Test func aSetThatCannotBeReadIsNamedInTheAnswer() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }  // ends the serving thread, so the context can close
        let (router, dealer) = try Self.link(context)
        let service = try Self.service(context) {
            try DatasetPieceSource(folder: "/nonexistent-\(UUID().uuidString)", names: ["x.npy"])
        }
        while case .hashing = service.current { Thread.sleep(forTimeInterval: 0.01) }
        let answer = try Self.ask(.dataManifestRequest, service, router, dealer)
        guard case .error(let error) = answer else { Issue.record("answered \(answer.name)"); return }
        #expect(error.code == .internal && error.message.contains("x.npy") && error.message.contains("--data"),
                "\(error)")
    }

    @Test func aServiceAtRateZeroServesNothingAndSaysWhatToDo() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }  // ends the serving thread, so the context can close
        let (router, dealer) = try Self.link(context)
        let service = try Self.service(context, rate: 0) { try DataServerTests.source() }
        #expect(service.socket == nil, "no thread")
        let answer = try Self.ask(.dataManifestRequest, service, router, dealer)
        guard case .error(let error) = answer else { Issue.record("answered \(answer.name)"); return }
        #expect(error.code == .unauthorized && error.message.contains("--data"))
    }

    @Test func fetchesAreReportedAtMostOnceEveryTenSeconds() throws {
        let context = try ZMQContext()
        let service = try Self.service(context, rate: 0) { try DataServerTests.source() }
        let reported = [50.0, 55, 60].map { service.shouldReportFetch(now: $0) }
        #expect(reported == [true, false, true])
    }
}
