/// The known field a mistyped one most likely meant, for "unknown field" problems: `training.epocs` → `epochs`.
enum FieldSuggestion {
    /// The name in `known` closest to `name` by edit distance (ignoring case), when close enough to be a typo: at
    /// most 2 edits, and fewer than half of `name`'s characters.
    static func closest(to name: String, among known: some Sequence<String>) -> String? {
        let typed = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in known.sorted() {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= 2, best.distance * 2 < typed.count else { return nil }
        return best.name
    }

    /// Levenshtein distance: the fewest insertions, deletions and substitutions that turn `a` into `b`.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
