import Foundation
import Testing

/// What a worker says when things go wrong in the usual ways (issue 22): it names its endpoint at once, says what
/// to check when nobody answers, and takes a coordinator restart as the routine it is.
@Suite struct WorkerLogTests {
    @Test func aWorkerSaysAtOnceWhereItConnectsAndWhatToCheck() throws {
        let cluster = try TestCluster()
        let nowhere = "ipc://\(cluster.folder.path)/nobody.sock"
        try cluster.startWorker("w", connect: nowhere, extra: ["--coordinator-timeout", "1"])
        #expect(cluster.waitForLog("w", timeout: 5) { $0.contains("connecting to the coordinator") && $0.contains(nowhere) })
        #expect(cluster.waitForLog("w", timeout: 10) { $0.contains("--connect names one of its --listen endpoints") })
    }

    /// A coordinator restart in the middle of an experiment once made each worker log eleven lines at error level.
    @Test func aCoordinatorRestartIsOneQuietRejoin() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        try cluster.startWorker("w2")
        let id = try cluster.submit(
            DistributedTrainingTests.spec, DistributedTrainingTests.short + ["--set", "training.epochs=20"])
        #expect(cluster.waitForLog("coordinator") { $0.contains("epoch done") })
        let coordinator = try #require(cluster.coordinator)
        kill(coordinator.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(coordinator)
        try cluster.startCoordinator()
        let done = try cluster.cli(["watch", id])
        #expect(done.status == 0, "\(done.stderr)")
        for name in ["w1", "w2"] {
            let log = cluster.log(name)
            let errors = log.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
            #expect(errors.isEmpty, "\(name): \(errors)")
            #expect(log.components(separatedBy: "joining again").count - 1 <= 1, "\(log)")
        }
    }
}
