import Foundation
import Testing
import Wire

/// A helper thread's replies reach the peer through the owner's ROUTER, bytes unchanged; a reply to a peer that is
/// gone comes back as a failure naming it, and the others still go out.
@Suite struct InprocRelayTests {
    @Test func repliesReachTheirPeerAndOnesToAPeerGoneAreReported() throws {
        let context = try ZMQContext()
        let address = "inproc://relay-test-\(UUID().uuidString)"
        let router = try RouterEndpoint(context: context, bind: [address])
        let dealer = try DealerConnection(context: context, connect: address)
        let (owner, helper) = try InprocRelay.make(context: context)
        let id = try dealer.send(.dataManifestRequest)
        guard case .message(let inbound)? = try router.receive(timeout: .seconds(5)) else {
            Issue.record("the router received nothing")
            return
        }
        try owner.forward(inbound.envelope, from: inbound.peer)
        let forwarded = try #require(try helper.receive(timeout: .seconds(5)))
        #expect(forwarded.peer == inbound.peer && forwarded.envelope == inbound.envelope)
        let piece = DataPiece(manifestDigest: "d", file: 0, piece: 0, data: (0..<100_000).map { UInt8($0 % 251) })
        let gone = PeerID([0, 1, 2, 3, 4])
        try helper.reply(.dataPiece(piece), requestId: 7, to: gone)
        try helper.reply(.dataPiece(piece), requestId: id, to: forwarded.peer)
        var failed: [PeerID] = []
        var received: Envelope?
        for _ in 0..<50 where received == nil || failed.isEmpty {
            _ = try Poller([owner.socket]).poll(timeout: .milliseconds(100))
            failed += try owner.relay(through: router).map(\.peer)
            received = try received ?? dealer.receive(timeout: .milliseconds(100))
        }
        #expect(failed == [gone])
        #expect(received == Envelope(requestId: id, message: .dataPiece(piece)))
    }
}
