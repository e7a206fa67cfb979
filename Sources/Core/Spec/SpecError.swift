/// A spec that cannot be used, with every problem found, each named by its field path
/// (`training.epochs`, `model.layers[2].conv2d.kernel`).
public struct SpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One problem: where it is and what is wrong with it.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public init(_ path: String, _ message: String) {
        self.problems = [Problem(path: path, message: message)]
    }

    public var description: String {
        if problems.count == 1 { return "invalid spec: \(problems[0])" }
        return "invalid spec (\(problems.count) problems):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
