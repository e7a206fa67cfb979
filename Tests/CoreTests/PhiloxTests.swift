import Core
import Testing

@Suite struct PhiloxTests {
    /// Known-answer vectors of Random123's `kat_vectors` for philox4x32_10.
    @Test(arguments: [
        ((UInt32(0), UInt32(0), UInt32(0), UInt32(0)), (UInt32(0), UInt32(0)),
         (UInt32(0x6627_e8d5), UInt32(0xe169_c58d), UInt32(0xbc57_ac4c), UInt32(0x9b00_dbd8))),
        ((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff),
         (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
         (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ])
    func knownAnswers(counter: Philox.Block, key: (UInt32, UInt32), expected: Philox.Block) {
        let b = Philox(key: key).block(counter)
        #expect([b.0, b.1, b.2, b.3] == [expected.0, expected.1, expected.2, expected.3])
    }

    @Test func seedSplitsIntoKeyWords() {
        let p = Philox(seed: 0x0000_0002_0000_0001)
        #expect(p.key.0 == 1 && p.key.1 == 2)
    }

    @Test func unitFloatIsInHalfOpenInterval() {
        #expect(Philox.unitFloat(0) == 0)
        #expect(Philox.unitFloat(.max) < 1)
        #expect(Philox.unitFloat(.max) == 1 - 1.0 / 16_777_216)
    }

    @Test func streamsDoNotCollide() {
        #expect(RandomStream.dropout.tag(3) != RandomStream.initialisation.tag(3))
        #expect(RandomStream.dropout.tag(3) == 3 | 3 << 8)
    }
}
