import Wire

/// How fast the coordinator serves dataset bytes, and to whom: a token bucket of `rate` bytes a second for all
/// peers together, and one per peer fetching now refilled at an equal share of the rate. Several fetchers split
/// the rate, and one that keeps many requests in flight cannot starve another: it runs out of its own share first.
/// A peer alone gets the whole rate. Peers are told to ask again within ``longestWait`` at most, so one that still
/// fetches keeps its share; one silent for ``idleAfter`` gives it back.
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

    /// The peers counted as fetching now.
    var fetchers: Int { peers.count }

    /// Takes `bytes` for `peer` at `now` (seconds): nil when granted, else the seconds after which to ask again.
    mutating func take(_ bytes: Int, for peer: PeerID, now: Double) -> Double? {
        peers = peers.filter { now - $0.value.lastAsked < Self.idleAfter }
        var own = peers[peer]?.bucket ?? TokenBucket(tokens: burst)
        let share = rate / Double(peers[peer] == nil ? peers.count + 1 : peers.count)
        total.refill(now: now, rate: rate, burst: burst)
        own.refill(now: now, rate: share, burst: burst)
        let needed = Double(bytes)
        defer { peers[peer] = (own, now) }
        guard total.tokens >= needed, own.tokens >= needed else {
            let wait = max((needed - total.tokens) / rate, (needed - own.tokens) / share)
            return min(Self.longestWait, wait)
        }
        total.tokens -= needed
        own.tokens -= needed
        return nil
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
