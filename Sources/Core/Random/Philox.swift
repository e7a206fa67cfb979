/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"
/// (SC 2011). Each output block is a pure function of a 64-bit key and a 128-bit counter, so a random number
/// never depends on which process draws it or in what order: the determinism contract rests on this.
public struct Philox: Sendable {
    /// Four counter words in, four random words out.
    public typealias Block = (UInt32, UInt32, UInt32, UInt32)

    public let key: (UInt32, UInt32)

    /// A generator keyed by a 64-bit seed (low word first).
    public init(seed: UInt64) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    /// A generator with an explicit key, as in the reference implementation's test vectors.
    public init(key: (UInt32, UInt32)) {
        self.key = key
    }

    /// The ten-round Philox4x32 bijection of `counter` under this key.
    @inline(__always)
    public func block(_ counter: Block) -> Block {
        var c = counter
        var k0 = key.0
        var k1 = key.1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k0, UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k1, UInt32(truncatingIfNeeded: p0)
            )
        }
        return c
    }

    /// One word of the block at `counter`: `lane` selects which of the four (0...3).
    @inline(__always)
    public func word(_ counter: Block, lane: Int) -> UInt32 {
        let b = block(counter)
        switch lane & 3 {
        case 0: return b.0
        case 1: return b.1
        case 2: return b.2
        default: return b.3
        }
    }

    /// A uniform Float in [0, 1) from the top 24 bits of a word: every value is exact in Float32.
    @inline(__always)
    public static func unitFloat(_ word: UInt32) -> Float {
        Float(word >> 8) * (1.0 / 16_777_216.0)
    }
}

/// The independent streams of random numbers a run uses; the stream is the first counter word, so two
/// streams never share a block.
public enum RandomStream: UInt32, Sendable {
    /// Weight initialisation: counter (stream | parameter tensor << 8, element / 4, 0, 0).
    case initialisation = 1
    /// The epoch's sample order: counter (stream, epoch, i, 0).
    case permutation = 2
    /// Dropout masks: counter (stream | layer << 8, epoch, dataset sample index, unit / 4).
    case dropout = 3
    /// The kernel fingerprint's probe data.
    case probe = 4
    /// A metric objective's partners of an anchor: counter (stream, epoch, step, anchor's position in the batch).
    case metricPairs = 5
    /// The seeded split of one set into training and test samples: counter (stream, 0, position, 0).
    case datasetSplit = 6

    /// The first counter word for this stream and a sub-stream (a tensor or layer index).
    @inline(__always)
    public func tag(_ sub: Int = 0) -> UInt32 {
        rawValue | UInt32(truncatingIfNeeded: sub) << 8
    }
}
