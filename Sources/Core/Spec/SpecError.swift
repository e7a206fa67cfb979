/// A spec that cannot be used, with every problem found, each named by its field path
/// (`training.epochs`, `model.layers[2].conv2d.kernel`).
public struct SpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One problem: where it is and what is wrong with it.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        /// The `--set key=value` the problem is in, when it is one that cannot be applied at all.
        public var override: String?

        public init(path: String, message: String, override: String? = nil) {
            self.path = path
            self.message = message
            self.override = override
        }
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public init(_ path: String, _ message: String, override: String? = nil) {
        self.problems = [Problem(path: path, message: message, override: override)]
    }

    public var description: String {
        if problems.count == 1 { return "invalid spec: \(problems[0])" }
        return "invalid spec (\(problems.count) problems):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

extension SpecError.Problem {
    /// Whether two field paths are the same field or one holds the other (`model.layers[2]` and
    /// `model.layers[2].conv2d.kernel`).
    static func related(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + ".") || a.hasPrefix(b + "[") || b.hasPrefix(a + ".") || b.hasPrefix(a + "[")
    }
}
