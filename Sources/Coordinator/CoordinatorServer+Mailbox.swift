import Core
import Foundation
import Wire

/// Results posted in workers' shared segments, and nudges ahead of posted assignments (Docs/WireProtocol.md,
/// "Shared memory").
///
/// A result over ZeroMQ wakes three threads in turn; a post in the segment's result mailbox wakes the
/// coordinator's thread directly. The coordinator then sleeps on the result mailboxes instead of its socket, so it
/// asks for posted results only when every connected worker can post them: a message from a worker that cannot
/// would otherwise wait for the sleep's timeout. Clients' requests and heartbeats wait at most that long.
extension CoordinatorServer {
    /// How long the coordinator sleeps on the result mailboxes before it looks at its socket again.
    static let mailboxSleep = Duration.milliseconds(5)

    /// Wakes the workers that computed step `key` through their segments, ahead of the next step's posts: they
    /// watch their mailboxes for a moment instead of sleeping, so the wake-up of their idle vCPUs (tens of
    /// microseconds here) overlaps Adam's step instead of following it.
    func nudgeWorkers(of key: StepKey) {
        for worker in workers.all where worker.segment?.wasAssigned(key) == true {
            worker.segment?.segment.nudge()
        }
    }

    /// Whether worker `id`'s next assignment should ask for its result in the result mailbox.
    func repliesInMailbox(_ id: WorkerID) -> Bool {
        SharedSegment.canWaitForAnyPost && workers.count <= SharedSegment.mostWatched
            && workers[id]?.segment?.repliesInMailbox == true
            && workers.all.allSatisfy { $0.segment?.repliesInMailbox == true }
    }

    /// The workers whose outstanding assignment asked for a posted result.
    var workersAwaitingPostedResults: [WorkerID] {
        workers.ids(where: { $0.segment?.awaitsPostedResult == true })
    }

    /// Sleeps until a worker posts a result, or ``mailboxSleep``.
    func waitForPostedResults(of ids: [WorkerID]) {
        let watched = ids.compactMap { id in
            workers[id]?.segment.map { (segment: $0.segment, seen: $0.resultsSeen) }
        }
        if !SharedSegment.waitForAnyPost(in: .results, of: watched, timeout: Self.mailboxSleep) {
            // The kernel refused the wait (it passed `canWaitForAnyPost`): look again in a moment, not at once.
            Thread.sleep(forTimeInterval: 0.001)
        }
    }

    /// Handles the results workers have posted, as messages from them; returns whether there were any.
    @discardableResult
    func collectPostedResults(of ids: [WorkerID]) -> Bool {
        var collected = false
        for id in ids {
            guard let peer = workers[id]?.peer, let bytes = workers[id]?.segment?.takePostedResult() else { continue }
            collected = true
            do {
                handle(try mailboxCodec.decode(bytes), from: peer)
            } catch {
                logger.error("dropping worker: bad posted result", metadata: ["worker": "\(id)", "error": "\(error)"])
                remove(id, reason: "posted a bad result: \(error)")
            }
        }
        return collected
    }
}
