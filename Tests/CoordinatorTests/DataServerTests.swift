import Foundation
import Testing
import Wire

@testable import Coordinator

/// The coordinator's side of delivery, driven with its own clock: the rate (a piece over it is answered with when
/// to ask again, not held), pieces only of the set it serves, nothing when serving is off, and fetches logged at
/// most once every ten seconds.
@Suite struct DataServerTests {
    /// A server of one 10,000-byte file in 4 KiB pieces (3 pieces) at `rate` bytes a second.
    static func server(rate: Double) throws -> DataServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("distembed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0) }).write(to: folder.appendingPathComponent("x.npy"))
        return DataServer(folder: folder.path, names: ["x.npy"], rate: rate, pieceSize: 4096, corruptPieces: 0)
    }

    @Test func piecesOverTheRateAreAnsweredWithWhenToAskAgain() throws {
        var server = try Self.server(rate: 4096)  // one piece a second; the bucket holds two
        let digest = try server.manifest().digest
        let request = { (piece: UInt32) in DataPieceRequest(manifestDigest: digest, file: 0, piece: piece) }
        let served = try [(0, 100.0), (1, 100), (1, 101), (2, 111), (0, 111), (1, 111)].map { piece, now in
            try server.piece(request(UInt32(piece)), now: now)
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
        let digest = try server.manifest().digest
        for request in [DataPieceRequest(manifestDigest: String(repeating: "0", count: 64), file: 0, piece: 0),
                        DataPieceRequest(manifestDigest: digest, file: 1, piece: 0),
                        DataPieceRequest(manifestDigest: digest, file: 0, piece: 3)] {
            do {
                _ = try server.piece(request, now: 0)
                Issue.record("served \(request)")
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func aServerAtRateZeroServesNothingAndSaysWhatToDo() throws {
        var server = try Self.server(rate: 0)
        do {
            _ = try server.manifest()
            Issue.record("served a manifest")
        } catch {
            #expect(error.code == .unauthorized && error.message.contains("--data"))
        }
    }

    @Test func fetchesAreReportedAtMostOnceEveryTenSeconds() throws {
        var server = try Self.server(rate: 1e9)
        let reported = [50.0, 55, 60].map { server.shouldReportFetch(now: $0) }
        #expect(reported == [true, false, true])
    }
}
