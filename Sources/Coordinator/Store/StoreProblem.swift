import GRDB

/// What went wrong inside a store transaction, before ``StoreError`` adds the operation and the experiment.
struct StoreProblem: Error {
    var code: StoreError.Code
    var message: String
    var hint: String?

    init(code: StoreError.Code, message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// The problem SQLite reported, with a hint chosen by its result code.
    ///
    /// The message leaves out the statement's SQL and arguments: they may hold megabytes of weights.
    init(_ error: DatabaseError, defaultCode: StoreError.Code) {
        if error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            self = .notFound
            return
        }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            self.init(
                code: .corrupt, message: message,
                hint: "the file is damaged or not a DistEmbed store; move it aside or pass --store with another folder")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            self.init(code: defaultCode, message: message, hint: "check the folder's permissions or pass --store")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self.init(
                code: defaultCode, message: message,
                hint: "another coordinator may be using this store; stop it or pass --store with another folder")
        case .SQLITE_FULL:
            self.init(code: defaultCode, message: message, hint: "free space on the disk that holds the store")
        case .SQLITE_IOERR:
            self.init(code: defaultCode, message: message, hint: "check the disk that holds the store")
        default:
            self.init(code: defaultCode, message: message)
        }
    }

    /// No experiment has the id.
    static let notFound = StoreProblem(
        code: .notFound, message: "no such experiment", hint: "`distembed list` shows the experiments")
}
