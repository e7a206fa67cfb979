import Foundation

/// The seeds of a sweep as the command line writes them: `1-16`, or a comma-separated list of seeds and
/// inclusive ranges, `1,3,5-8`. Seeds are distinct and keep the written order.
public enum SeedList {
    /// The most seeds one sweep may have: each is a whole training run.
    public static let maxCount = 256
    /// The largest seed: a spec's `seed` is a JSON number, exact as an integer up to 2⁵³ − 1.
    public static let maxSeed: UInt64 = (1 << 53) - 1

    /// The seeds `text` lists.
    /// - Throws: ``SeedListError`` saying which part is wrong and how to write it.
    public static func parse(_ text: String) throws(SeedListError) -> [UInt64] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SeedListError(text, "is empty") }
        var seeds: [UInt64] = []
        var seen: Set<UInt64> = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            for seed in try range(item, in: text) {
                guard seen.insert(seed).inserted else { throw SeedListError(text, "lists seed \(seed) twice") }
                seeds.append(seed)
                guard seeds.count <= maxCount else {
                    throw SeedListError(text, "has more than \(maxCount) seeds; split the sweep")
                }
            }
        }
        return seeds
    }

    /// One item: a seed `7` or an inclusive range `5-8`.
    private static func range(_ item: String, in text: String) throws(SeedListError) -> ClosedRange<UInt64> {
        guard !item.isEmpty else { throw SeedListError(text, "has an empty item between commas") }
        let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard ends.count <= 2, let first = UInt64(ends[0]), let last = UInt64(ends[ends.count - 1]) else {
            throw SeedListError(text, "\"\(item)\" is neither a seed (a whole number) nor a range like 5-8")
        }
        guard last <= maxSeed else { throw SeedListError(text, "has a seed above the largest, \(maxSeed)") }
        guard first <= last else {
            throw SeedListError(text, "range \"\(item)\" runs backwards; write \(last)-\(first)")
        }
        guard last - first < UInt64(maxCount) else {
            throw SeedListError(text, "has more than \(maxCount) seeds; split the sweep")
        }
        return first...last
    }
}

/// A seed list that cannot be read, with the list and what is wrong with it.
public struct SeedListError: Error, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String

    init(_ text: String, _ problem: String) {
        self.text = text
        self.problem = problem
    }

    public var description: String {
        "seed list \"\(text)\" \(problem); write seeds and ranges like 1-16 or 1,3,5-8"
    }
}
