/// A cheap 64-bit digest of a parameter vector: XXH64 (seed 0) of its bytes as little-endian float32, the bytes
/// `WeightsHash.sha256` hashes. Workers send it with a result to say which weights they computed with, and the
/// coordinator compares it with its own weights' (Docs/Determinism.md, "Replicas that agree"). It guards against
/// corruption, not against an adversary: SHA-256 would cost several times as much a step.
public enum WeightsDigest {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The digest of `count` parameters at `weights`.
    public static func of(_ weights: UnsafePointer<Float>, count: Int) -> UInt64 {
        of(UnsafeBufferPointer(start: weights, count: count))
    }

    /// The digest of the parameters in `weights`.
    public static func of(_ weights: UnsafeBufferPointer<Float>) -> UInt64 {
        #if _endian(big)
        let bytes = weights.map { $0.bitPattern.littleEndian }
        return bytes.withUnsafeBytes { xxh64($0) }
        #else
        return xxh64(UnsafeRawBufferPointer(weights))
        #endif
    }

    /// The digest of `weights`.
    public static func of(_ weights: [Float]) -> UInt64 {
        weights.withUnsafeBufferPointer { of($0) }
    }

    /// XXH64 with seed 0 (the reference algorithm, xxhash.com), for the tests' reference vectors too.
    public static func xxh64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var i = 0
        var h: UInt64
        @inline(__always) func word(_ at: Int) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        @inline(__always) func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
            rotl(acc &+ input &* p2, 31) &* p1
        }
        @inline(__always) func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
            (acc ^ round(0, v)) &* p1 &+ p4
        }
        if n >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while i + 32 <= n {
                v1 = round(v1, word(i))
                v2 = round(v2, word(i + 8))
                v3 = round(v3, word(i + 16))
                v4 = round(v4, word(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(merge(merge(merge(h, v1), v2), v3), v4)
        } else {
            h = p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h = rotl(h ^ round(0, word(i)), 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            let half = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            h = rotl(h ^ (half &* p1), 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h = rotl(h ^ (UInt64(bytes[i]) &* p5), 11) &* p1
            i += 1
        }
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
}
