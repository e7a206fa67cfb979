/// Warnings about peer messages that were dropped, at most one every ``interval`` seconds with a count of those not
/// logged since: the peer port is open to anyone who can reach it, and a stranger must not be able to flood the log.
struct PeerComplaints {
    let interval: Double
    private var lastLogged = -Double.infinity
    private var unlogged = 0

    init(interval: Double = 10) {
        self.interval = interval
    }

    /// Counts a complaint at `now`; returns how many were not logged before it when this one is to be logged, else nil.
    mutating func record(now: Double) -> Int? {
        guard now - lastLogged >= interval else {
            unlogged += 1
            return nil
        }
        defer { (lastLogged, unlogged) = (now, 0) }
        return unlogged
    }
}
