import Core
import Foundation
import Wire

/// Dataset delivery: workers started with `--fetch-data` ask for the manifest, then for pieces; the loop passes
/// both to the ``DataService``'s thread and relays its replies.
extension CoordinatorServer {
    /// Forwards a data request (the reply comes later, through ``relayDataReplies()``); reports a manifest request
    /// at most once every ``DataService/reportInterval`` seconds.
    /// - Throws: ``WireError`` when the request cannot be forwarded (see ``DataService/forward(_:from:)``).
    func forwardDataRequest(_ envelope: Envelope, from peer: PeerID) throws {
        try dataService.forward(envelope, from: peer)
        guard case .dataManifestRequest = envelope.message, case .serving(let digest, let bytes) = dataService.current,
              dataService.shouldReportFetch(now: now)
        else { return }
        let megabytes = String(format: "%.1f", Double(bytes) / 1e6)
        logger.info("a worker is fetching the dataset", metadata: [
            "peer": "\(peer)", "dataset": "\(digest.prefix(12))", "MB": "\(megabytes)",
            "rate MB/s": "\(String(format: "%.1f", dataService.rate / 1e6))",
        ])
        if let run {
            event(run.id, "data", "a worker is fetching the dataset (\(megabytes) MB at up to "
                + "\(String(format: "%.0f", dataService.rate / 1e6)) MB/s)")
        }
    }

    /// Sends the data service's replies on; a reply that cannot be sent is counted as any other.
    /// - Throws: ``ZMQError`` when the relay's socket fails (``ZMQError/isContextTerminated`` at shutdown).
    func relayDataReplies() throws(ZMQError) {
        for (peer, error) in try dataService.relayReplies(through: router) where undelivered.record(peer) {
            logger.warning("could not send; further replies to this peer that cannot be sent are only counted",
                           metadata: ["message": "a dataset reply", "peer": "\(peer)", "error": "\(error)"])
        }
    }
}
