import Wire

/// Messages from other members for a step this worker has not been given yet: a member that got its assignment
/// first may send its slices before this worker's assignment arrives. Bounded: a peer (or a stranger on the peer
/// port) cannot make a worker hold more than ``maxMessages`` messages or ``maxFloats`` values; the oldest go first.
struct EarlyPeerMessages {
    private var kept: [(group: UInt64, version: UInt64, message: WireMessage, senderKey: String?, floats: Int)] = []
    private var floats = 0
    static let maxMessages = 1024
    static let maxFloats = 64 << 20

    /// Keeps `message`, which the peer whose key CURVE proved to be `senderKey` (if any) sent for step `version` of
    /// `group`.
    mutating func keep(_ message: WireMessage, from senderKey: String?, group: UInt64, version: UInt64) {
        let size: Int
        switch message {
        case .gradientSlices(let s): size = s.subtrees.reduce(0) { total, subtree in
                if case .inline(let t) = subtree.gradient { return total + t.values.count }
                return total
            }
        case .weightShard(let w): size = w.weights.values.count
        default: return
        }
        guard size <= Self.maxFloats else { return }
        kept.append((group, version, message, senderKey, size))
        floats += size
        while kept.count > Self.maxMessages || floats > Self.maxFloats {
            floats -= kept.removeFirst().floats
        }
    }

    /// The messages kept for `group` at `version`, with their senders' keys, in arrival order; those of older
    /// versions of the group and of other groups are dropped, except later steps of this group.
    mutating func take(group: UInt64, version: UInt64) -> [(message: WireMessage, senderKey: String?)] {
        let matching = kept.filter { $0.group == group && $0.version == version }.map { ($0.message, $0.senderKey) }
        kept.removeAll { $0.group != group || $0.version <= version }
        floats = kept.reduce(0) { $0 + $1.floats }
        return matching
    }
}
