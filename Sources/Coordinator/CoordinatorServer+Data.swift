import Core
import Foundation
import Wire

/// Dataset delivery: workers started with `--fetch-data` ask for the manifest, then for pieces (``DataServer``).
extension CoordinatorServer {
    func dataManifest(for peer: PeerID) throws -> WireMessage {
        let manifest = try dataServer.manifest()
        guard dataServer.shouldReportFetch(now: now) else { return .dataManifest(manifest) }
        let megabytes = String(format: "%.1f", Double(manifest.files.reduce(0) { $0 + $1.size }) / 1e6)
        logger.info("a worker is fetching the dataset", metadata: [
            "peer": "\(peer)", "dataset": "\(manifest.digest.prefix(12))", "MB": "\(megabytes)",
            "rate MB/s": "\(String(format: "%.1f", dataServer.rate / 1e6))",
        ])
        if let run {
            event(run.id, "data", "a worker is fetching the dataset (\(megabytes) MB at up to "
                + "\(String(format: "%.0f", dataServer.rate / 1e6)) MB/s)")
        }
        return .dataManifest(manifest)
    }

    func dataPiece(_ request: DataPieceRequest) throws -> WireMessage {
        let piece = try dataServer.piece(request, now: now)
        if !piece.data.isEmpty { telemetry?.metrics.dataServed(bytes: piece.data.count) }
        return .dataPiece(piece)
    }
}
