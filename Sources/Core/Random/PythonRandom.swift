/// CPython 3's `random` module: the MT19937 Mersenne Twister with CPython's seeding and integer draws.
///
/// After `PythonRandom(seed: s)`, the calls `getrandbits`, `randbelow`, `randrange` and `randint` return the same
/// numbers, in the same order, as `random.seed(s)` followed by the same calls on CPython 3.9 or later
/// (`random.getrandbits`, `random._randbelow`, `random.randrange`, `random.randint`). Integer draws use CPython's
/// rejection sampling over `getrandbits(n.bit_length())`, so a draw may consume more than one 32-bit output.
///
/// It is a value: copying it copies the generator's state, and it never touches a global random source.
public struct PythonRandom: Sendable {
    private static let stateSize = 624
    private static let shift = 397
    private static let matrixA: UInt32 = 0x9908_b0df
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7fff_ffff

    /// The 624 words of the twister's state.
    private var state: [UInt32]
    /// The next state word to temper and return; `stateSize` means the state must be regenerated first.
    private var index: Int

    /// Creates a generator in the state `random.seed(seed)` leaves CPython's generator in.
    public init(seed: Int) {
        state = [UInt32](repeating: 0, count: Self.stateSize)
        index = Self.stateSize
        self.seed(seed)
    }

    /// Reseeds as CPython's `random.seed(seed)` does for an `int`: `init_by_array` over the 32-bit words of the
    /// seed's absolute value, least significant first (one word for 0).
    public mutating func seed(_ seed: Int) {
        let magnitude = UInt64(seed.magnitude)
        var key = [UInt32(truncatingIfNeeded: magnitude)]
        if magnitude >> 32 != 0 {
            key.append(UInt32(truncatingIfNeeded: magnitude >> 32))
        }
        initialize(byArray: key)
    }

    /// Returns an integer with `k` random bits, as CPython's `random.getrandbits(k)`.
    ///
    /// - Parameter k: The number of bits, 0 through 64.
    /// - Returns: A value in `0 ..< 2^k`; for `k > 32` the first 32-bit output fills the low word.
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition((0...64).contains(k), "getrandbits(\(k)): k must be in 0...64")
        if k == 0 {
            return 0
        }
        if k <= 32 {
            return UInt64(nextWord() >> (32 - k))
        }
        let low = UInt64(nextWord())
        let high = UInt64(nextWord() >> (64 - k))
        return high << 32 | low
    }

    /// Returns a uniform integer in `0 ..< n`, as CPython's `random._randbelow(n)`.
    ///
    /// - Parameter n: The exclusive upper bound; must be positive.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0, "randbelow(\(n)): the bound must be positive")
        return Int(randbelow(unsigned: UInt64(n)))
    }

    /// Returns a uniform integer in `start ..< stop`, as CPython's `random.randrange(start, stop)`.
    ///
    /// - Precondition: `start < stop` (CPython raises `ValueError` for an empty range).
    public mutating func randrange(_ start: Int, _ stop: Int) -> Int {
        precondition(start < stop, "randrange(\(start), \(stop)): empty range")
        let width = UInt64(bitPattern: Int64(stop &- start))
        return start &+ Int(truncatingIfNeeded: randbelow(unsigned: width))
    }

    /// Returns a uniform integer in `a ... b`, as CPython's `random.randint(a, b)` (that is, `randrange(a, b + 1)`).
    ///
    /// - Precondition: `a <= b`, and the range holds fewer than 2^64 integers (CPython would draw 65 bits).
    public mutating func randint(_ a: Int, _ b: Int) -> Int {
        precondition(a <= b, "randint(\(a), \(b)): empty range")
        let width = UInt64(bitPattern: Int64(b &- a)) &+ 1
        precondition(width != 0, "randint(\(a), \(b)): a range of 2^64 integers needs 65 random bits")
        return a &+ Int(truncatingIfNeeded: randbelow(unsigned: width))
    }

    /// CPython's `_randbelow_with_getrandbits`: draw `n.bit_length()` bits until the value is below `n`.
    private mutating func randbelow(unsigned n: UInt64) -> UInt64 {
        let bits = UInt64.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(bits)
        while r >= n {
            r = getrandbits(bits)
        }
        return r
    }

    /// MT19937 `init_genrand`.
    private mutating func initialize(seed: UInt32) {
        state[0] = seed
        for i in 1..<Self.stateSize {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        index = Self.stateSize
    }

    /// MT19937 `init_by_array`, as CPython's `_random` module calls it from `seed`.
    private mutating func initialize(byArray key: [UInt32]) {
        let n = Self.stateSize
        initialize(seed: 19_650_218)
        var i = 1
        var j = 0
        for _ in 0..<max(n, key.count) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= n {
                state[0] = state[n - 1]
                i = 1
            }
            if j >= key.count {
                j = 0
            }
        }
        for _ in 0..<(n - 1) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n {
                state[0] = state[n - 1]
                i = 1
            }
        }
        state[0] = 0x8000_0000
    }

    /// MT19937 `genrand_uint32`: the next tempered 32-bit output.
    private mutating func nextWord() -> UInt32 {
        if index >= Self.stateSize {
            regenerate()
        }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Refills all 624 state words (the "twist").
    private mutating func regenerate() {
        let n = Self.stateSize
        let m = Self.shift
        for k in 0..<n {
            let y = (state[k] & Self.upperMask) | (state[(k + 1) % n] & Self.lowerMask)
            let mixed = (y >> 1) ^ (y & 1 == 0 ? 0 : Self.matrixA)
            state[k] = state[(k + m) % n] ^ mixed
        }
        index = 0
    }
}
