/// Which of Exercise 4's options (a)–(d) a run's four loss values support, by the exercise's own wording:
/// values rounded to 4 decimals; "triplet greater than contrastive" holds when it does both before and after
/// training (and "smaller" likewise); "significant" is a drop of at least 0.01; "in the 4th decimal" is a drop
/// greater than zero and below 0.001.
public enum ExerciseAnswer: String, Sendable, Codable, CaseIterable {
    case a, b, c, d, none

    /// The option the values support, or `.none`.
    public static func of(contrastive: (before: Double, after: Double), triplet: (before: Double, after: Double))
        -> ExerciseAnswer
    {
        let values = [contrastive.before, contrastive.after, triplet.before, triplet.after]
        guard values.allSatisfy({ $0.isFinite && abs($0) < 1e12 }) else { return .none }
        func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        let c0 = round4(contrastive.before), c1 = round4(contrastive.after)
        let t0 = round4(triplet.before), t1 = round4(triplet.after)
        let tripletGreater = t0 > c0 && t1 > c1
        let tripletSmaller = t0 < c0 && t1 < c1
        // Compare drops in units of the 4th decimal so rounding noise cannot tip a boundary.
        let contrastiveDrop = Int(((c0 - c1) * 10_000).rounded())
        let tripletDrop = Int(((t0 - t1) * 10_000).rounded())
        func significant(_ drop: Int) -> Bool { drop >= 100 }
        func fourthDecimal(_ drop: Int) -> Bool { drop > 0 && drop < 10 }
        if tripletGreater && significant(tripletDrop) && fourthDecimal(contrastiveDrop) { return .a }
        if tripletSmaller && significant(tripletDrop) && significant(contrastiveDrop) { return .b }
        if tripletGreater && significant(tripletDrop) && significant(contrastiveDrop) { return .c }
        if tripletSmaller && significant(contrastiveDrop) && fourthDecimal(tripletDrop) { return .d }
        return .none
    }
}

extension ExerciseAnswer {
    /// The question the options answer.
    public static let question = "Which statement holds for the four losses rounded to 4 decimals?"

    /// The option's statement, in the exercise's terms; for ``none``, that no option holds.
    public var statement: String {
        switch self {
        case .a:
            "Triplet is greater than contrastive; only triplet dropped significantly, contrastive only in the 4th "
                + "decimal."
        case .b: "Triplet is smaller than contrastive; both dropped significantly (2nd decimal or more)."
        case .c: "Triplet is greater than contrastive; both dropped significantly (2nd decimal or more)."
        case .d:
            "Triplet is smaller than contrastive; only contrastive dropped significantly, triplet only in the 4th "
                + "decimal."
        case .none:
            "None of the options (a)–(d) holds: no option's order of the two losses and sizes of their drops "
                + "match these values."
        }
    }

    /// `(c)`, or `none`.
    public var label: String { self == .none ? "none" : "(\(rawValue))" }
}
