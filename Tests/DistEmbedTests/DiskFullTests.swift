import Foundation
import Testing

/// A store on a full disk (issue 21): the experiment that cannot be stored fails cleanly and says why, reads go on,
/// `submit --wait` ends, and once there is room again the next experiment trains to the undisturbed weights.
@Suite(.serialized) struct DiskFullTests {
    /// Runs `command` with `arguments`; returns its exit status.
    @discardableResult
    static func run(_ command: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: command)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Mounts a small file system of the test's own at the cluster's store folder (needs root, as CI has).
    static func mountSmallStore(_ cluster: TestCluster) throws {
        let store = cluster.store.path
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", store])
        try #require(mounted == 0, "cannot mount a tmpfs at \(store): run the tests as root")
    }

    static func unmount(_ cluster: TestCluster) {
        cluster.stop()
        _ = try? run("/bin/umount", [cluster.store.path])
    }

    /// Fills the store's file system to the last byte.
    static func fill(_ cluster: TestCluster) -> URL {
        let filler = cluster.store.appendingPathComponent("filler")
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        defer { close(fd) }
        for size in [1 << 16, 512, 1] {
            let bytes = [UInt8](repeating: 0, count: size)
            while write(fd, bytes, size) == size {}
        }
        return filler
    }

    @Test func aFullDiskFailsTheExperimentCleanlyAndTheNextOneTrains() throws {
        let cluster = try TestCluster()
        let store = cluster.store.path
        try Self.mountSmallStore(cluster)
        defer { Self.unmount(cluster) }
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let spec = DistributedTrainingTests.spec
        let short = DistributedTrainingTests.short

        // Leave about 300 kB: enough for the queue and the events, not for a checkpoint (three copies of 73k floats).
        let free = try #require(
            try FileManager.default.attributesOfFileSystem(forPath: store)[.systemFreeSize] as? Int)
        let filler = cluster.store.appendingPathComponent("filler")
        try Data(count: max(0, free - 300_000)).write(to: filler)

        let failed = try cluster.cli(["submit", spec, "--wait"] + short)
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("full"), "\(failed.stderr)")
        #expect(failed.stderr.contains("free space"), "\(failed.stderr)")
        #expect(failed.stderr.contains("checkpoint"), "fails at the step it could not store: \(failed.stderr)")
        let listed = try cluster.cli(["list"])
        #expect(listed.status == 0 && listed.stdout.contains("failed"), "\(listed.stdout)\(listed.stderr)")

        try FileManager.default.removeItem(at: filler)
        let done = try cluster.cli(["submit", spec, "--wait", "--json"] + short)
        #expect(done.status == 0, "\(done.stderr)\n\(cluster.log("coordinator"))")
        #expect(try Binary.json(done)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())

        // What the store holds after a restart agrees with what the clients were told.
        cluster.coordinator?.terminate()
        _ = cluster.waitForExit(cluster.coordinator!)
        try cluster.startCoordinator()
        let first = try Binary.json(try cluster.cli(["status", "exp-1", "--json"]))
        #expect(first["state"] as? String == "failed", "\(first)")
        #expect((first["message"] as? String)?.contains("full") == true, "\(first)")
        let second = try Binary.json(try cluster.cli(["status", "exp-2", "--json"]))
        #expect(second["state"] as? String == "done", "\(second)")
    }

    static func status(_ cluster: TestCluster, _ id: String) throws -> [String: Any] {
        try Binary.json(try cluster.cli(["status", id, "--json"]))
    }

    /// Starts a coordinator and a worker on a small store, runs a long experiment, fills the disk after its first
    /// epoch and waits (up to a minute) until the experiment no longer runs. Returns its id, the filler and its
    /// status then.
    static func fillDuringARun(_ cluster: TestCluster) throws -> (id: String, filler: URL, state: [String: Any]) {
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let id = try cluster.submit(
            DistributedTrainingTests.spec, DistributedTrainingTests.short + ["--set", "training.epochs=500"])
        var deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try (status(cluster, id)["epoch"] as? Int ?? 0) < 1 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let filler = fill(cluster)
        var state: [String: Any] = [:]
        deadline = Date().addingTimeInterval(60)
        repeat {
            Thread.sleep(forTimeInterval: 0.1)
            state = try status(cluster, id)
        } while Date() < deadline && state["state"] as? String == "running"
        return (id, filler, state)
    }

    /// The disk fills while an experiment runs. It once stayed `running` with nothing running it, and `submit
    /// --wait` hung. Now it fails at the next checkpoint, clients are told so at once even if the store cannot take
    /// the failure yet, and once there is room the store agrees.
    @Test func aDiskThatFillsDuringARunEndsItAndTheStoreAgreesLater() throws {
        let cluster = try TestCluster()
        try Self.mountSmallStore(cluster)
        defer { Self.unmount(cluster) }
        let (id, filler, state) = try Self.fillDuringARun(cluster)
        #expect(state["state"] as? String == "failed", "\(state)\n\(cluster.log("coordinator"))")
        #expect((state["message"] as? String)?.contains("full") == true, "\(state)")
        #expect(try cluster.cli(["list"]).status == 0, "reads go on while the disk is full")

        try FileManager.default.removeItem(at: filler)
        Thread.sleep(forTimeInterval: 1.5)  // the coordinator writes what it kept in memory every second
        cluster.coordinator?.terminate()
        _ = cluster.waitForExit(cluster.coordinator!)
        try cluster.startCoordinator()
        let stored = try Self.status(cluster, id)
        #expect(stored["state"] as? String == "failed", "\(stored)\n\(cluster.log("coordinator"))")
        #expect((stored["message"] as? String)?.contains("full") == true, "\(stored)")
    }

    /// The disk fills during a run and the coordinator is stopped before any room comes back. The failed outcome
    /// was once only in memory then: the restarted coordinator resumed the experiment, which could end `done` after
    /// its clients were told `failed`. The store's space reserve makes room for the outcome.
    @Test func aFailureOnAFullDiskIsStoredBeforeAnyRoomComesBack() throws {
        let cluster = try TestCluster()
        try Self.mountSmallStore(cluster)
        defer { Self.unmount(cluster) }
        let (id, filler, _) = try Self.fillDuringARun(cluster)
        cluster.coordinator?.terminate()
        _ = cluster.waitForExit(cluster.coordinator!)
        try FileManager.default.removeItem(at: filler)
        try cluster.startCoordinator()
        let stored = try Self.status(cluster, id)
        #expect(stored["state"] as? String == "failed", "\(stored)\n\(cluster.log("coordinator"))")
        #expect((stored["message"] as? String)?.contains("full") == true, "\(stored)")
    }

    /// A coordinator restarted on a full disk said only "disk I/O error". It still cannot start there, but says
    /// why and what to do.
    @Test func aCoordinatorOnAFullDiskSaysSo() throws {
        let cluster = try TestCluster()
        try Self.mountSmallStore(cluster)
        defer { Self.unmount(cluster) }
        try cluster.startCoordinator()
        _ = try cluster.submit(DistributedTrainingTests.spec, DistributedTrainingTests.short)
        cluster.coordinator?.terminate()
        _ = cluster.waitForExit(cluster.coordinator!)
        _ = Self.fill(cluster)
        let out = try Binary.run(["coordinator", "--listen", "ipc://\(cluster.folder.path)/c2.sock", "--store",
                                  cluster.store.path])
        #expect(out.status == 74, "an I/O error (EX_IOERR), not \(out.status)")
        #expect(!out.stderr.contains("Usage:"), "not a mistake in the command line: \(out.stderr)")
        #expect(out.stderr.contains("is full") && out.stderr.contains("free space"), "\(out.stderr)")
    }
}
