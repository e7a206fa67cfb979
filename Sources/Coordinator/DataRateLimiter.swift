import Wire

/// How fast the coordinator serves dataset bytes, and to whom: a token bucket of `rate` bytes a second for all
/// peers together, and one per peer fetching now, refilled at an equal share of the rate. A peer within its share
/// takes from the shared bucket; a peer over it takes only what is left there beyond one piece kept for each other
/// fetcher. So one that keeps many requests in flight cannot starve another (each gets at least its share when it
/// asks), and what one does not ask for goes to those that do: a fetcher alone gets the whole rate. Peers are told
/// to ask again within ``longestWait`` at most, so one that still fetches keeps its share; one silent for
/// ``idleAfter`` gives it back.
struct DataRateLimiter {
    /// Bytes a second, for all peers together.
    let rate: Double
    /// The most bytes a bucket holds: what may go out in a burst.
    let burst: Double
    /// The longest wait a peer is told; a peer over its share asks again this soon.
    static let longestWait = 1.0
    /// A peer that asked for nothing this long no longer counts as fetching.
    static let idleAfter = 3.0

    private var total: TokenBucket
    private var peers: [PeerID: (bucket: TokenBucket, lastAsked: Double)] = [:]

    /// Starts with `initial` bytes in the shared bucket (each peer's own starts full).
    init(rate: Double, burst: Double, initial: Double) {
        self.rate = rate
        self.burst = burst
        total = TokenBucket(tokens: min(initial, burst))
    }

    /// The peers counted as fetching at `now`.
    mutating func fetchers(now: Double) -> Int {
        forgetIdlePeers(now: now)
        return peers.count
    }

    /// Takes `bytes` (a piece, at most `pieceSize`) for `peer` at `now` (seconds): nil when granted, else the
    /// seconds after which to ask again.
    mutating func take(_ bytes: Int, pieceSize: Int, for peer: PeerID, now: Double) -> Double? {
        forgetIdlePeers(now: now)
        let others = peers.count - (peers[peer] == nil ? 0 : 1)
        var own = peers[peer]?.bucket ?? TokenBucket(tokens: burst)
        let share = rate / Double(others + 1)
        total.refill(now: now, rate: rate, burst: burst)
        own.refill(now: now, rate: share, burst: burst)
        defer { peers[peer] = (own, now) }
        let needed = Double(bytes)
        let withinShare = own.tokens >= needed
        let reserve = withinShare ? 0 : Double(others * pieceSize)
        guard total.tokens - reserve >= needed else {
            let forTotal = (needed + reserve - total.tokens) / rate
            return min(Self.longestWait, withinShare ? forTotal : min(forTotal, (needed - own.tokens) / share))
        }
        total.tokens -= needed
        own.tokens = max(0, own.tokens - needed)
        return nil
    }

    private mutating func forgetIdlePeers(now: Double) {
        peers = peers.filter { now - $0.value.lastAsked < Self.idleAfter }
    }
}

/// Bytes that may be sent now, refilled with time up to a limit.
struct TokenBucket {
    var tokens: Double
    private var lastRefill: Double?

    init(tokens: Double) {
        self.tokens = tokens
    }

    /// Adds what `rate` bytes a second gave since the last refill, up to `burst`.
    mutating func refill(now: Double, rate: Double, burst: Double) {
        if let lastRefill { tokens = min(burst, tokens + max(0, now - lastRefill) * rate) }
        lastRefill = now
    }
}
