import Core
import Testing

/// The replica digest is XXH64: reference vectors from `xxhsum -H64` (xxHash 0.8.1), one per branch of the
/// algorithm (empty, a short tail, 32-byte stripes with every kind of tail).
struct WeightsDigestTests {
    static func digest(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { WeightsDigest.xxh64($0) }
    }

    @Test func matchesTheReferenceImplementation() {
        #expect(Self.digest([]) == 0xEF46_DB37_51D8_E999)  // printf '' | xxhsum -H64
        #expect(Self.digest(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // python3 -c "import sys; sys.stdout.buffer.write(bytes(range(103)))" | xxhsum -H64
        #expect(Self.digest((0..<103).map { UInt8($0) }) == 0xAB3E_7961_FD61_8891)
        // bytes((i*7+3)%256 for i in range(31))
        #expect(Self.digest((0..<31).map { UInt8(($0 * 7 + 3) % 256) }) == 0xA2AA_5F33_CC4A_6119)
    }

    @Test func hashesTheWeightsAsLittleEndianFloat32() {
        let weights: [Float] = [1, -0.5, .leastNonzeroMagnitude, 3.25e7]
        let bytes = weights.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w.bitPattern >> (8 * $0)) } }
        #expect(WeightsDigest.of(weights) == Self.digest(bytes))
    }

    /// Every single-bit flip of a 291 KB parameter vector's first, middle and last word changes the digest.
    @Test func seesOneFlippedBit() {
        var weights = (0..<72_842).map { Float($0 % 977) * 0.001 - 0.4 }
        let clean = WeightsDigest.of(weights)
        for index in [0, weights.count / 2, weights.count - 1] {
            for bit in 0..<32 {
                weights[index] = Float(bitPattern: weights[index].bitPattern ^ (1 << UInt32(bit)))
                #expect(WeightsDigest.of(weights) != clean, "bit \(bit) of parameter \(index)")
                weights[index] = Float(bitPattern: weights[index].bitPattern ^ (1 << UInt32(bit)))
            }
        }
        #expect(WeightsDigest.of(weights) == clean)
    }
}
