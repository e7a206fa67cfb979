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
    /// Held while the store is open, so that no other coordinator opens it; nil in memory.
    private let lock: StoreLock?
    /// Space given up to write an experiment's outcome on a full disk; nil in memory.
    let reserve: SpaceReserve?

    private init(database: any DatabaseWriter, path: String?, lock: StoreLock?, reserve: SpaceReserve?) {
        self.database = database
        self.path = path
        self.lock = lock
        self.reserve = reserve
        reserve?.restore()
    }

    /// Opens the store in `directory`, creating the folder (mode 0700) and its database file (mode 0600) when they
    /// are missing, and bringing the file's tables up to date. An existing folder keeps its permissions.
    ///
    /// The store is locked while open: a second coordinator on it is refused, with the first one's pid. An
    /// existing database file must be whole: an empty one (0 bytes: truncated, or replaced) is refused rather than
    /// started afresh, and SQLite's `quick_check` must find no damaged page.
    /// - Throws: ``StoreError`` when the folder or file cannot be created or opened, another coordinator holds it,
    ///   or the file is empty, damaged or not a DistEmbed store.
    public convenience init(directory: String) throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        let operation = "open the store at \(directory)"
        let lock: StoreLock
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            lock = try StoreLock(directory: directory)
            try Self.createFile(path: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                code: .cannotOpen, operation: operation, message: error.localizedDescription,
                hint: "check the folder's permissions or pass --store")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration)
            try Self.checkIntegrity(pool)
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrate(pool)
            self.init(database: pool, path: path, lock: lock, reserve: SpaceReserve(directory: directory))
        } catch {
            var storeError = StoreError(operation: operation, experimentId: nil, wrapping: error, defaultCode: .cannotOpen)
            // SQLite says "disk I/O error" when it cannot create its WAL files on a full disk.
            if let free = Self.freeBytes(under: directory), free < Self.nearlyFull {
                storeError.hint = "the disk that holds it is full (\(free) bytes free): free space there, or pass "
                    + "--store with a folder on another disk"
            }
            throw storeError
        }
    }

    /// Free space under which a failure to open is put down to a full disk.
    static let nearlyFull: UInt64 = 1 << 20

    /// The bytes free to unprivileged users on the file system that holds `directory`; nil when unknown.
    static func freeBytes(under directory: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// A store that lives in memory and vanishes with the value, for tests.
    /// - Throws: ``StoreError`` if SQLite cannot set it up.
    public static func inMemory() throws -> ExperimentStore {
        do {
            let queue = try DatabaseQueue(configuration: configuration)
            try migrate(queue)
            return ExperimentStore(database: queue, path: nil, lock: nil, reserve: nil)
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

    /// Makes an empty database file with owner-only permissions when there is none (SQLite gives its WAL and
    /// shared-memory files the database file's permissions). An existing file must not be empty: SQLite would
    /// take a 0-byte file for a new database, and every experiment the store held would be silently gone.
    private static func createFile(path: String) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else {
            try Data().write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return
        }
        let size = (try files.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let journal = (try? files.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 && journal == 0 {
            throw StoreError(
                code: .corrupt, operation: "open the store", message: "\(path) exists but is empty (0 bytes)",
                hint: "restore it from a backup; to start an empty store instead, move the file away first")
        }
    }

    /// SQLite's `quick_check`: every page and index readable and consistent (a few milliseconds for a small store).
    private static func checkIntegrity(_ pool: DatabasePool) throws {
        let rows = try pool.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
        guard rows == ["ok"] else {
            throw StoreProblem(
                code: .corrupt, message: "the database is damaged: " + rows.prefix(3).joined(separator: "; "),
                hint: "restore the store from a backup, or move it away to start an empty one")
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
