import Testing
import Wire

@testable import Worker

/// With CURVE a worker's peer inbox knows who sent each message (the key CURVE proved), and takes a message for a
/// rank only from that rank's member; without CURVE nothing is proven and the step's checks are all there is.
@Suite(.serialized) struct PeerLinksTests {
    @Test func withCurveAMessageCountsOnlyFromTheMemberItNames() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let own = try CurveKeys.generate()
        let member = try CurveKeys.generate()
        let stranger = try CurveKeys.generate()
        let links = try PeerLinks(
            context: context, listen: "tcp://127.0.0.1:*", options: SocketOptions(), keys: own) { _ in }
        #expect(links.publicKey == own.publicKey)
        let keys = [own.publicKey, member.publicKey]
        var received: [String?] = []
        for sender in [member, stranger] {
            var options = SocketOptions()
            options.curve = .client(sender, serverKey: own.publicKey)
            options.linger = .zero
            let link = try DealerConnection(context: context, connect: links.endpoint, options: options)
            try link.send(.weightShard(WeightShard(
                experimentId: "exp-1", group: 7, weightsVersion: 3, rank: 1, weights: Tensor([1, 2]))))
            guard case .message(let message) = try #require(try links.receive(timeout: .seconds(10))) else {
                Issue.record("no message from \(sender.publicKey)")
                continue
            }
            received.append(message.senderKey)
        }
        #expect(received == [member.publicKey, stranger.publicKey])
        #expect(links.isFromMember(member.publicKey, rank: 1, of: keys))
        #expect(!links.isFromMember(stranger.publicKey, rank: 1, of: keys))
        #expect(!links.isFromMember(member.publicKey, rank: 0, of: keys))
        #expect(!links.isFromMember(nil, rank: 1, of: keys))
        #expect(!links.isFromMember(member.publicKey, rank: 2, of: keys))
        // A group without keys for every member cannot be joined with CURVE on.
        #expect(throws: WireError.self) { try links.connect(to: ["tcp://127.0.0.1:1", "tcp://127.0.0.1:2"], peerKeys: []) }
    }

    @Test func withoutCurveEveryMessagePassesToTheStepsChecks() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let links = try PeerLinks(
            context: context, listen: "tcp://127.0.0.1:*", options: SocketOptions(), keys: nil) { _ in }
        #expect(links.publicKey == nil)
        #expect(links.isFromMember(nil, rank: 1, of: []))
    }
}
