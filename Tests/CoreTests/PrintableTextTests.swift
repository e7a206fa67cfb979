import Core
import Testing

@Suite struct PrintableTextTests {
    @Test func controlCharactersAreWrittenAsEscapes() {
        #expect(PrintableText.escaped("a\nb\tc\r") == "a\\nb\\tc\\r")
        #expect(PrintableText.escaped("\u{1B}[2J\u{07}\u{0}\u{9B}\u{2028}") == "\\u{1B}[2J\\u{7}\\u{0}\\u{9B}\\u{2028}")
        #expect(PrintableText.escaped("grüße, 世界 🙂") == "grüße, 世界 🙂")
    }

    @Test func longTextIsCutWithACount() {
        #expect(PrintableText.escaped(String(repeating: "x", count: 12), limit: 10) == "xxxxxxxxxx… (2 more characters)")
        #expect(PrintableText.escaped("short", limit: 10) == "short")
    }
}
