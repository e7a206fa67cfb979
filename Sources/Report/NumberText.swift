import Foundation

/// How the report writes numbers: fixed decimals, and a dash for a missing or non-finite value.
enum NumberText {
    /// `value` with exactly `decimals` digits after the point, or "—".
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "—" }
        let text = String(format: "%.\(decimals)f", value)
        // A value that rounds to zero keeps no sign.
        let roundsToZero = text.allSatisfy { "-0.".contains($0) }
        return roundsToZero && text.hasPrefix("-") ? String(text.dropFirst()) : text
    }

    /// `value` as a percentage with one decimal, e.g. "42.5%".
    static func percent(_ value: Double) -> String {
        fixed(value * 100, 1) + "%"
    }
}
