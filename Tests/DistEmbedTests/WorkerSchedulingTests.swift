import Foundation
import Testing

/// Workers run every thread under `SCHED_BATCH` (BatchScheduling), the coordinator under the default policy.
@Suite struct WorkerSchedulingTests {
    /// The scheduling policy of each thread of `pid`, from `/proc/PID/task/TID/sched` (0 normal, 3 batch).
    static func policies(of pid: Int32) throws -> [String: Int] {
        let tasks = "/proc/\(pid)/task"
        var result: [String: Int] = [:]
        for tid in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            let text = try String(contentsOfFile: "\(tasks)/\(tid)/sched", encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.hasPrefix("policy") }
            result[tid] = line.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
        return result
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "needs Linux /proc"))
    func everyWorkerThreadIsBatchAndTheCoordinatorIsNot() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let worker = try cluster.startWorker("w1")
        let deadline = Date().addingTimeInterval(30)
        while !cluster.log("w1").contains("joined the coordinator") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let workerPolicies = try Self.policies(of: worker.processIdentifier)
        #expect(workerPolicies.count >= 3, "the main thread, ZeroMQ's threads: \(workerPolicies)")
        #expect(workerPolicies.values.allSatisfy { $0 == 3 }, "\(workerPolicies)")
        let coordinator = try #require(cluster.coordinator)
        #expect(try Self.policies(of: coordinator.processIdentifier).values.allSatisfy { $0 == 0 })
    }
}
