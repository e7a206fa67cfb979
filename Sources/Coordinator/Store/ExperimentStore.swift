import Foundation
import GRDB

/// The coordinator's embedded store: experiments, their progress, checkpoints and results in one SQLite file, so a
/// coordinator restart loses nothing that was committed.
///
/// Every write is one transaction. On disk the database runs in WAL mode with `synchronous = FULL`: a crash at any
/// point leaves the last committed state readable, and a committed transaction survives even a power loss. Reads run
/// alongside writes (a GRDB `DatabasePool`), so `watch` is not held up by a checkpoint being written.
public final class ExperimentStore: Sendable {
    /// The name of the database file inside the store's folder.
    public static let fileName = "store.sqlite"

    let database: any DatabaseWriter
    /// The database file, or nil in memory.
    let path: String?

    private init(database: any DatabaseWriter, path: String?) {
        self.database = database
        self.path = path
    }

    /// Opens the store in `directory`, creating the folder (mode 0700) and its database file (mode 0600) when they
    /// are missing, and bringing the file's tables up to date. An existing folder keeps its permissions.
    /// - Throws: ``StoreError`` when the folder or file cannot be created or opened, or is not a DistEmbed store.
    public convenience init(directory: String) throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        let operation = "open the store at \(directory)"
        do {
            try Self.createFiles(directory: directory, path: path)
        } catch {
            throw StoreError(
                code: .cannotOpen, operation: operation, message: error.localizedDescription,
                hint: "check the folder's permissions or pass --store")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration)
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrate(pool)
            self.init(database: pool, path: path)
        } catch {
            throw StoreError(operation: operation, experimentId: nil, wrapping: error, defaultCode: .cannotOpen)
        }
    }

    /// A store that lives in memory and vanishes with the value, for tests.
    /// - Throws: ``StoreError`` if SQLite cannot set it up.
    public static func inMemory() throws -> ExperimentStore {
        do {
            let queue = try DatabaseQueue(configuration: configuration)
            try migrate(queue)
            return ExperimentStore(database: queue, path: nil)
        } catch {
            throw StoreError(
                operation: "open an in-memory store", experimentId: nil, wrapping: error, defaultCode: .cannotOpen)
        }
    }

    /// Bytes on disk: the database file with its WAL and shared-memory files (0 in memory).
    public var fileSize: Int64 {
        guard let path else { return 0 }
        return ["", "-wal", "-shm"].reduce(0) { total, suffix in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Runs `body` in one write transaction; any failure becomes a ``StoreError`` about `operation` on `id`.
    func write<T>(_ operation: String, id: String? = nil, _ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw StoreError(operation: operation, experimentId: id, wrapping: error)
        }
    }

    /// Runs `body` on a consistent snapshot; any failure becomes a ``StoreError`` about `operation` on `id`.
    func read<T>(_ operation: String, id: String? = nil, _ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw StoreError(operation: operation, experimentId: id, wrapping: error)
        }
    }

    /// Makes the folder and an empty database file with owner-only permissions; SQLite gives its WAL and
    /// shared-memory files the database file's permissions.
    private static func createFiles(directory: String, path: String) throws {
        let files = FileManager.default
        try files.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !files.fileExists(atPath: path) {
            try Data().write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.label = "DistEmbed.store"
        configuration.prepareDatabase { db in
            // Lets deleted checkpoints give their pages back (see `reclaimFreePages`). SQLite only honours it before
            // the first table is created, so it takes effect on new files and is a no-op afterwards.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
        }
        return configuration
    }

    private static func migrate(_ database: any DatabaseWriter) throws {
        let migrator = StoreSchema.migrator
        if try database.read({ try migrator.hasBeenSuperseded($0) }) {
            throw StoreProblem(
                code: .cannotOpen, message: "a newer version of DistEmbed has changed this store's format",
                hint: "run the newer distembed or pass --store with another folder")
        }
        try migrator.migrate(database)
    }
}
