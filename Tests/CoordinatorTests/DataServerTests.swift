import Core
import Foundation
import Testing
import Wire

@testable import Coordinator

/// The coordinator's side of delivery, driven with its own clock: the rate (a piece over it is answered with when
/// to ask again, not held), an equal share of it for each peer fetching, and pieces only of the set it serves.
@Suite struct DataServerTests {
    static let alice = PeerID([1])
    static let bob = PeerID([2])

    /// One 10,000-byte file in 4 KiB pieces (3 pieces), in a new folder.
    static func source() throws -> DatasetPieceSource {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distembed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0) }).write(to: folder.appendingPathComponent("x.npy"))
        return try DatasetPieceSource(folder: folder.path, names: ["x.npy"], pieceSize: 4096)
    }

    static func server(rate: Double) throws -> DataServer {
        DataServer(source: try source(), rate: rate, corruptPieces: 0)
    }

    @Test func piecesOverTheRateAreAnsweredWithWhenToAskAgain() throws {
        var server = try Self.server(rate: 4096)  // one piece a second; the bucket holds two
        let digest = server.manifest.digest
        let request = { (piece: UInt32) in DataPieceRequest(manifestDigest: digest, file: 0, piece: piece) }
        let served = try [(0, 100.0), (1, 100), (1, 101), (2, 111), (0, 111), (1, 111)].map { piece, now in
            try server.piece(request(UInt32(piece)), for: Self.alice, now: now)
        }
        #expect(served[0].data.count == 4096)
        #expect(served[1].data.isEmpty && served[1].retryAfterMs == 1000, "the bucket started with one piece")
        #expect(served[2].data.count == 4096, "one second later: one more piece")
        #expect(served[3].data.count == 10_000 - 8192, "the last piece is shorter")
        #expect(served[4].data.count == 4096, "the bucket holds two pieces at most")
        #expect(served[5].data.isEmpty)
    }

    @Test func onlyPiecesOfTheServedSetAreServed() throws {
        var server = try Self.server(rate: 1e9)
        let digest = server.manifest.digest
        for request in [DataPieceRequest(manifestDigest: String(repeating: "0", count: 64), file: 0, piece: 0),
                        DataPieceRequest(manifestDigest: digest, file: 1, piece: 0),
                        DataPieceRequest(manifestDigest: digest, file: 0, piece: 3)] {
            do {
                _ = try server.piece(request, for: Self.alice, now: 0)
                Issue.record("served \(request)")
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    /// Bytes each peer got in `seconds` of simulated fetching, asking every 10 ms: `greedy` up to 8 pieces a
    /// tick, each other peer 1, each honouring the time to ask again it was told; peers that stop asking at
    /// `stops` do so.
    static func fetch(
        _ server: inout DataServer, peers: [PeerID], seconds: Double, stops: [PeerID: Double] = [:]
    ) throws -> [PeerID: Int] {
        let digest = server.manifest.digest
        var bytes: [PeerID: Int] = [:]
        var notBefore: [PeerID: Double] = [:]
        var next: [PeerID: UInt32] = [:]
        for tick in 0..<Int(seconds * 100) {
            let now = 100 + Double(tick) / 100
            for (rank, peer) in peers.enumerated() where now < stops[peer, default: .infinity] {
                for _ in 0..<(rank == 0 ? 8 : 1) where notBefore[peer, default: 0] <= now {
                    let index = next[peer, default: 0]
                    let piece = try server.piece(
                        DataPieceRequest(manifestDigest: digest, file: 0, piece: index % 2), for: peer, now: now)
                    if piece.data.isEmpty {
                        notBefore[peer] = now + Double(piece.retryAfterMs) / 1000
                    } else {
                        bytes[peer, default: 0] += piece.data.count
                        next[peer] = index + 1
                    }
                }
            }
        }
        return bytes
    }

    @Test func twoFetchersSplitTheRateThoughOneAsksFirstAndMore() throws {
        let rate = 20 * 4096.0  // 20 pieces a second in all
        var server = try Self.server(rate: rate)
        let bytes = try Self.fetch(&server, peers: [Self.alice, Self.bob], seconds: 30)
        let (alice, bob) = (bytes[Self.alice, default: 0], bytes[Self.bob, default: 0])
        #expect(Double(alice + bob) <= rate * 30 + 2 * 8192, "within the rate and the two buckets' start")
        #expect(Double(bob) >= 0.45 * Double(alice + bob), "alice \(alice) bytes, bob \(bob)")
        #expect(Double(alice) >= 0.45 * Double(alice + bob), "alice \(alice) bytes, bob \(bob)")
    }

    @Test func peersCountAsFetchingUntilTheyAreSilentForThreeSeconds() throws {
        var server = try Self.server(rate: 1e9)
        let request = DataPieceRequest(manifestDigest: server.manifest.digest, file: 0, piece: 0)
        _ = try server.piece(request, for: Self.alice, now: 100)
        _ = try server.piece(request, for: Self.bob, now: 101)
        #expect([102.0, 103.5, 104.5].map { server.fetchers(now: $0) } == [2, 1, 0])
    }

    @Test func whatAFetcherDoesNotAskForGoesToTheOthersAtOnce() throws {
        let rate = 20 * 4096.0
        var server = try Self.server(rate: rate)
        // Bob stops after 10 s but counts as fetching for 3 s more; alice has the whole rate from 10 s all the same.
        let bytes = try Self.fetch(&server, peers: [Self.alice, Self.bob], seconds: 40, stops: [Self.bob: 10])
        let alice = Double(bytes[Self.alice, default: 0])
        #expect(alice >= rate * (5 + 29.5), "half the rate for 10 s, all of it for 30 s: \(alice) bytes")
    }
}
