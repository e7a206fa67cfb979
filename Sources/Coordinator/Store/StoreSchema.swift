import GRDB

/// The store's tables, built by named migrations: add a migration for every change, never edit a released one.
enum StoreSchema {
    /// The name of the counter that numbers experiments.
    static let experimentCounter = "experiment"
    /// The name of the counter that numbers seed sweeps.
    static let sweepCounter = "sweep"

    /// Every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-experiments", migrate: createV1)
        migrator.registerMigration("v2-min-workers") { db in
            try db.alter(table: ExperimentRecord.databaseTableName) { t in
                t.add(column: "minWorkers", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v3-sweeps", migrate: createSweeps)
        return migrator
    }

    /// Seed sweeps: one row per sweep, its experiments point at it through v1's `experiment.sweepId`.
    private static func createSweeps(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO counter (name, value) VALUES (?, 0)", arguments: [sweepCounter])
        try db.create(table: SweepRecord.databaseTableName) { t in
            t.primaryKey("id", .text)
            t.column("sequence", .integer).notNull().unique()
            t.column("name", .text).notNull()
            t.column("createdAt", .double).notNull()
        }
        try db.create(
            index: "experimentBySweep", on: ExperimentRecord.databaseTableName, columns: ["sweepId", "sequence"])
    }

    private static func createV1(_ db: Database) throws {
        // Sequences that never go back, even when rows are deleted.
        try db.create(table: "counter") { t in
            t.primaryKey("name", .text)
            t.column("value", .integer).notNull()
        }
        try db.execute(sql: "INSERT INTO counter (name, value) VALUES (?, 0)", arguments: [experimentCounter])

        let experiment = ExperimentRecord.databaseTableName
        try db.create(table: experiment) { t in
            t.primaryKey("id", .text)
            t.column("sequence", .integer).notNull().unique()
            t.column("name", .text).notNull()
            t.column("specJSON", .text).notNull()
            t.column("state", .text).notNull()
            t.column("createdAt", .double).notNull()
            t.column("startedAt", .double)
            t.column("finishedAt", .double)
            t.column("error", .text)
            t.column("resultJSON", .text)
            t.column("weightsSha256", .text)
            t.column("sweepId", .text)
        }
        try db.create(index: "experimentByState", on: experiment, columns: ["state", "sequence"])

        try db.create(table: EpochRow.databaseTableName) { t in
            t.column("experimentId", .text).notNull().references(experiment, onDelete: .cascade)
            t.column("epoch", .integer).notNull()
            t.column("loss", .double).notNull()
            t.column("accuracy", .double).notNull()
            t.column("seconds", .double).notNull()
            t.primaryKey(["experimentId", "epoch"])
        }

        try db.create(table: EventRow.databaseTableName) { t in
            t.column("experimentId", .text).notNull().references(experiment, onDelete: .cascade)
            t.column("sequence", .integer).notNull()
            t.column("time", .double).notNull()
            t.column("kind", .text).notNull()
            t.column("line", .text).notNull()
            t.primaryKey(["experimentId", "sequence"])
        }

        try db.create(table: CheckpointRow.databaseTableName) { t in
            t.primaryKey("experimentId", .text).references(experiment, onDelete: .cascade)
            t.column("epoch", .integer).notNull()
            t.column("step", .integer).notNull()
            t.column("weights", .blob).notNull()
            t.column("adamM", .blob).notNull()
            t.column("adamV", .blob).notNull()
            t.column("adamStep", .integer).notNull()
            t.column("epochLossSum", .double).notNull()
            t.column("epochCorrect", .integer).notNull()
            t.column("epochCount", .integer).notNull()
            t.column("embeddingsBefore", .blob).notNull()
            t.column("createdAt", .double).notNull()
        }

        try db.create(table: FinalWeightsRow.databaseTableName) { t in
            t.primaryKey("experimentId", .text).references(experiment, onDelete: .cascade)
            t.column("weights", .blob).notNull()
        }
    }
}
