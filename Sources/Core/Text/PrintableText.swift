/// Text a peer sent, made safe to put in a log line, an event or a terminal: control characters (a newline that
/// would forge a log line, an escape sequence that would rewrite the terminal) are shown as escapes, and the text
/// is cut to a length.
public enum PrintableText {
    /// The longest peer text kept by default, in characters.
    public static let defaultLimit = 500

    /// `text` with every control character (C0, DEL, C1, and the Unicode line and paragraph separators) written as
    /// `\n`, `\t`, `\r` or `\u{…}`, cut to `limit` characters with a note of how many more there were.
    public static func escaped(_ text: String, limit: Int = defaultLimit) -> String {
        var out = ""
        var kept = 0
        var dropped = 0
        for scalar in text.unicodeScalars {
            if kept >= limit {
                dropped += 1
                continue
            }
            kept += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where isControl(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return dropped == 0 ? out : out + "… (\(dropped) more characters)"
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }
}
