import Foundation

extension ExperimentSpec {
    /// The most draw seeds `evaluation.seeds` may list: each costs two loss evaluations, so a bound keeps one spec
    /// from holding the coordinator busy.
    public static let maxDrawSeeds = 1000

    /// `evaluation.seeds`: a non-empty array of distinct integers, or `fallback` alone when it is left out.
    static func decodeDrawSeeds(_ e: inout JSONFields, default fallback: Int, problems: inout [SpecError.Problem])
        -> [Int]
    {
        guard e.raw("seeds") != nil else { return [fallback] }
        let path = e.child("seeds")
        let expected = "expected a non-empty array of distinct integers, e.g. [1, 2, 3]"
        guard let list = e.array("seeds") else { return [fallback] }  // `array` reported what it holds instead
        guard !list.isEmpty else {
            problems.append(.init(path: path, message: expected))
            return [fallback]
        }
        var seeds: [Int] = []
        for (i, value) in list.enumerated() {
            guard let n = value as? NSNumber, !JSONFields.isBool(n), let seed = Int(exactly: n.doubleValue) else {
                problems.append(.init(path: "\(path)[\(i)]", message: "expected an integer, got "
                    + JSONFields.describe(value)))
                continue
            }
            seeds.append(seed)
        }
        if Set(seeds).count != seeds.count {
            problems.append(.init(path: path, message: "lists a seed twice; \(expected)"))
        }
        if seeds.count > maxDrawSeeds {
            problems.append(.init(path: path, message: "lists \(seeds.count) seeds; at most \(maxDrawSeeds) are allowed"))
        }
        return seeds.isEmpty ? [fallback] : seeds
    }
}
