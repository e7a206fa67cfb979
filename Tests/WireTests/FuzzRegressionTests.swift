import Core
import Testing
import Wire

/// Inputs kept from fuzzing (`scripts/fuzz.sh`) and hand-made edge cases: each must be refused with a typed
/// error, never crash. Add a crashing input found by the fuzzer here as a byte array once it is fixed.
@Suite struct FuzzRegressionTests {
    static let codecInputs: [[UInt8]] = [
        [],
        [0x08],                                      // a field tag with no value
        [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // an 11-byte varint
        [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],        // a length-delimited field claiming 4 GiB
        [0x0A, 0x05, 0x01, 0x02],                    // a field shorter than its length
        [0xFF, 0xFF, 0xFF, 0xFF],                    // field number beyond the protobuf range
        Array(repeating: 0x0A, count: 4096),         // deep nesting of length prefixes
        [0x08, 0x01, 0x10, 0x01],
    ]

    static let specInputs: [String] = [
        "", "null", "[]", "0", "\"x\"", "{", "{}", "{\"model\":null}",
        String(repeating: "[", count: 100_000),     // deep nesting must not overflow the stack
        String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000),
        "{\"training\":{\"epochs\":1e400}}", "{\"training\":{\"epochs\":-1}}",
        "{\"dataset\":{\"trainLimit\":18446744073709551616}}", "{\"seed\":-1}", "{\"name\":\"\\ud800\"}",
    ]

    @Test(arguments: codecInputs)
    func garbageIsATypedError(bytes: [UInt8]) {
        let codec = Codec(maxMessageSize: 1 << 20)
        #expect(throws: WireError.self) { try codec.decode(bytes) }
    }

    @Test(arguments: specInputs)
    func brokenSpecsAreATypedError(text: String) {
        #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: text) }
    }
}
