import Coordinator
import Foundation
import GRDB
import Testing

/// Migration v3 (`v3-sweeps`) on a store written by a release that stopped at v2.
@Suite final class StoreMigrationTests {
    let root: String

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("migration-\(UUID().uuidString)").path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The tables and rows of a v2 store as the v2 release wrote them (`sqlite3 store.sqlite .dump`), with two
    /// experiments: one done, one queued.
    static let v2Store = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        INSERT INTO grdb_migrations VALUES('v1-experiments');
        INSERT INTO grdb_migrations VALUES('v2-min-workers');
        CREATE TABLE "counter" ("name" TEXT PRIMARY KEY NOT NULL, "value" INTEGER NOT NULL);
        INSERT INTO counter VALUES('experiment',2);
        CREATE TABLE "experiment" ("id" TEXT PRIMARY KEY NOT NULL, "sequence" INTEGER NOT NULL UNIQUE, \
        "name" TEXT NOT NULL, "specJSON" TEXT NOT NULL, "state" TEXT NOT NULL, "createdAt" DOUBLE NOT NULL, \
        "startedAt" DOUBLE, "finishedAt" DOUBLE, "error" TEXT, "resultJSON" TEXT, "weightsSha256" TEXT, \
        "sweepId" TEXT, "minWorkers" INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE "epoch" ("experimentId" TEXT NOT NULL REFERENCES "experiment"("id") ON DELETE CASCADE, \
        "epoch" INTEGER NOT NULL, "loss" DOUBLE NOT NULL, "accuracy" DOUBLE NOT NULL, "seconds" DOUBLE NOT NULL, \
        PRIMARY KEY ("experimentId", "epoch"));
        CREATE TABLE "event" ("experimentId" TEXT NOT NULL REFERENCES "experiment"("id") ON DELETE CASCADE, \
        "sequence" INTEGER NOT NULL, "time" DOUBLE NOT NULL, "kind" TEXT NOT NULL, "line" TEXT NOT NULL, \
        PRIMARY KEY ("experimentId", "sequence"));
        CREATE TABLE "checkpoint" ("experimentId" TEXT PRIMARY KEY NOT NULL REFERENCES "experiment"("id") \
        ON DELETE CASCADE, "epoch" INTEGER NOT NULL, "step" INTEGER NOT NULL, "weights" BLOB NOT NULL, \
        "adamM" BLOB NOT NULL, "adamV" BLOB NOT NULL, "adamStep" INTEGER NOT NULL, "epochLossSum" DOUBLE NOT NULL, \
        "epochCorrect" INTEGER NOT NULL, "epochCount" INTEGER NOT NULL, "embeddingsBefore" BLOB NOT NULL, \
        "createdAt" DOUBLE NOT NULL);
        CREATE TABLE "finalWeights" ("experimentId" TEXT PRIMARY KEY NOT NULL REFERENCES "experiment"("id") \
        ON DELETE CASCADE, "weights" BLOB NOT NULL);
        CREATE INDEX "experimentByState" ON "experiment"("state", "sequence");
        INSERT INTO experiment VALUES('exp-1',1,'exercise4','{"seed":1}','done',10.0,11.0,12.0,NULL,\
        '{"weightsSha256":"ab"}','ab',NULL,2);
        INSERT INTO experiment VALUES('exp-2',2,'exercise4','{"seed":2}','queued',13.0,NULL,NULL,NULL,NULL,NULL,\
        NULL,0);
        INSERT INTO epoch VALUES('exp-1',1,0.5,0.75,1.25);
        """

    private func writeV2Store() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: root + "/" + ExperimentStore.fileName)
        try queue.write { try $0.execute(sql: Self.v2Store) }
    }

    @Test func v3KeepsTheV2ExperimentsAndAddsSweeps() throws {
        try writeV2Store()
        let store = try ExperimentStore(directory: root)
        let old = try store.experiments()
        #expect(old.map(\.id) == ["exp-1", "exp-2"])
        #expect(old[0].state == .done && old[0].weightsSha256 == "ab" && old[0].minWorkers == 2)
        #expect(old.allSatisfy { $0.sweepId == nil })
        #expect(try store.epochs(id: "exp-1").map(\.loss) == [0.5])
        #expect(try store.sweeps().isEmpty)

        let (sweep, members) = try store.insertSweep(
            name: "exercise4", specJSONs: [#"{"seed":1}"#, #"{"seed":2}"#], minWorkers: 2, at: 20)
        #expect(sweep.id == "sweep-1" && sweep.name == "exercise4" && sweep.createdAt == 20)
        #expect(members.map(\.id) == ["exp-3", "exp-4"], "experiment ids go on from the v2 counter")
        #expect(members.allSatisfy { $0.sweepId == "sweep-1" && $0.state == .queued && $0.minWorkers == 2 })
        #expect(try store.experiments(inSweep: "sweep-1") == members)
        #expect(try store.experiments(inSweep: "sweep-9").isEmpty)
        #expect(try store.nextQueued()?.id == "exp-2", "the queue keeps submission order across versions")
    }

    @Test func reopeningAMigratedStoreKeepsItsSweeps() throws {
        try writeV2Store()
        _ = try ExperimentStore(directory: root).insertSweep(name: "a", specJSONs: ["{}"], at: 1)
        let reopened = try ExperimentStore(directory: root)
        #expect(try reopened.sweeps().map(\.id) == ["sweep-1"])
        let (second, _) = try reopened.insertSweep(name: "b", specJSONs: ["{}"], at: 2)
        #expect(second.id == "sweep-2")
        let migrations = try DatabaseQueue(path: root + "/" + ExperimentStore.fileName).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(migrations == ["v1-experiments", "v2-min-workers", "v3-sweeps"])
    }
}
