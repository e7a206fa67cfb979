import CXXHash

/// A cheap 64-bit digest of a parameter vector: XXH64 (seed 0) of its bytes as little-endian float32, the bytes
/// `WeightsHash.sha256` hashes. Workers send it with a result to say which weights they computed with, and the
/// coordinator compares it with its own weights' (Docs/Determinism.md, "Replicas that agree"). It guards against
/// corruption, not against an adversary: SHA-256 would cost several times as much a step.
public enum WeightsDigest {
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

    /// XXH64 with seed 0, from the xxHash library (Debian's libxxhash), for the tests' reference vectors too.
    public static func xxh64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH64(bytes.baseAddress, bytes.count, 0)
    }
}
