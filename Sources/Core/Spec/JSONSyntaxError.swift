import Foundation

/// Where a JSON text fails to parse, as `line 3, column 8` rather than Foundation's byte offset.
enum JSONSyntaxError {
    /// `line L, column C: what` for an error of `JSONSerialization` on `text`; Foundation's own text when it
    /// gives no offset.
    static func describe(_ error: Error, in text: Data) -> String {
        let detail = SpecOverrides.describe(error)
        guard let match = detail.firstMatch(of: /(.*) around character (\d+)\.?/), let offset = Int(match.2),
              offset <= text.count
        else { return detail }
        let before = text.prefix(offset)
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? before.startIndex
        let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
        return "line \(line), column \(column): \(match.1.lowercased())"
    }
}
