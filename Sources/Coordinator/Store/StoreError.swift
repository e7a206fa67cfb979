import GRDB

/// A store operation that failed: what was being done, to which experiment, why, and what the user can do.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, for code that reacts to some of them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, as `description` shows it.
        public let description: String

        /// The store's folder or database file cannot be opened or set up.
        public static let cannotOpen = Code(description: "cannotOpen")
        /// No experiment has the given id.
        public static let notFound = Code(description: "notFound")
        /// The experiment's state does not allow the operation.
        public static let invalidState = Code(description: "invalidState")
        /// The database file, or a value in it, is damaged or not a DistEmbed store.
        public static let corrupt = Code(description: "corrupt")
        /// Any other SQLite failure.
        public static let database = Code(description: "database")
    }

    /// The kind of failure.
    public var code: Code
    /// What was being done, such as "save the checkpoint".
    public var operation: String
    /// The experiment concerned, if any.
    public var experimentId: String?
    /// What went wrong.
    public var message: String
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error from its parts.
    init(code: Code, operation: String, experimentId: String? = nil, message: String, hint: String? = nil) {
        self.code = code
        self.operation = operation
        self.experimentId = experimentId
        self.message = message
        self.hint = hint
    }

    /// The error of `operation` on `experimentId` that failed with `error`.
    init(operation: String, experimentId: String?, wrapping error: any Error, defaultCode: Code = .database) {
        let problem: StoreProblem =
            switch error {
            case let problem as StoreProblem: problem
            case let error as DatabaseError: StoreProblem(error, defaultCode: defaultCode)
            default: StoreProblem(code: defaultCode, message: "\(error)")
            }
        self.init(
            code: problem.code, operation: operation, experimentId: experimentId, message: problem.message,
            hint: problem.hint)
    }

    /// "cannot OPERATION (ID): MESSAGE; HINT".
    public var description: String {
        var text = "cannot \(operation)"
        if let experimentId { text += " (\(experimentId))" }
        text += ": \(message)"
        if let hint { text += "; \(hint)" }
        return text
    }
}
