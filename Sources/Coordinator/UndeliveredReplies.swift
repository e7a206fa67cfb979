import Wire

/// Replies the coordinator could not send, counted per peer: a peer that never reads its replies (its queue stays
/// full) or has gone costs one log line when it starts and a count every ``reportInterval``, not a line per reply.
struct UndeliveredReplies {
    /// How often the counts are logged (seconds).
    static let reportInterval = 60.0

    private var counts: [PeerID: Int] = [:]
    private var since: Double

    init(now: Double) {
        since = now
    }

    /// Counts one reply to `peer` that could not be sent; returns whether it is the first since the last report
    /// (log that one).
    mutating func record(_ peer: PeerID) -> Bool {
        counts[peer, default: 0] += 1
        return counts[peer] == 1
    }

    /// Once per ``reportInterval``: the replies not sent and to how many peers since the last report, if any.
    mutating func report(at now: Double) -> (replies: Int, peers: Int)? {
        guard now - since >= Self.reportInterval else { return nil }
        defer {
            counts.removeAll()
            since = now
        }
        let replies = counts.values.reduce(0, +)
        return replies > counts.count ? (replies, counts.count) : nil
    }
}
