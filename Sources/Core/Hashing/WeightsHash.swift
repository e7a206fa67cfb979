import Crypto

/// `weightsSha256`: SHA-256 of every parameter as little-endian float32, in canonical order.
public enum WeightsHash {
    public static func sha256(_ weights: [Float]) -> String {
        var hasher = SHA256()
        weights.withUnsafeBufferPointer { buffer in
            #if _endian(big)
            for w in buffer { withUnsafeBytes(of: w.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) } }
            #else
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            #endif
        }
        return hasher.finalize().hex
    }
}
