import Foundation
import Testing

/// Workers run every thread under `SCHED_BATCH` (BatchScheduling), the coordinator under the default policy;
/// `worker --cpu N` pins every thread of the worker to CPU N (CPUBinding).
@Suite struct WorkerSchedulingTests {
    /// For each thread of `pid`, the value of the line starting with `key` in `/proc/PID/task/TID/FILE`.
    static func threadField(_ key: String, in file: String, of pid: Int32) throws -> [String: String] {
        let tasks = "/proc/\(pid)/task"
        var result: [String: String] = [:]
        for tid in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            let text = try String(contentsOfFile: "\(tasks)/\(tid)/\(file)", encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.hasPrefix(key) }
            result[tid] = line.map { $0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces) }
        }
        return result
    }

    /// The scheduling policy of each thread of `pid` ("0" normal, "3" batch).
    static func policies(of pid: Int32) throws -> [String: String] {
        try threadField("policy", in: "sched", of: pid)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "needs Linux /proc"))
    func everyWorkerThreadIsBatchAndTheCoordinatorIsNot() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let worker = try cluster.startWorker("w1")
        cluster.waitForLog("w1") { $0.contains("joined the coordinator") }
        let workerPolicies = try Self.policies(of: worker.processIdentifier)
        #expect(workerPolicies.count >= 3, "the main thread, ZeroMQ's threads: \(workerPolicies)")
        #expect(workerPolicies.values.allSatisfy { $0 == "3" }, "\(workerPolicies)")
        let coordinator = try #require(cluster.coordinator)
        #expect(try Self.policies(of: coordinator.processIdentifier).values.allSatisfy { $0 == "0" })
    }

    /// The CPUs each thread of `pid` may run on ("1", "0-1").
    static func allowedCPUs(of pid: Int32) throws -> [String: String] {
        try threadField("Cpus_allowed_list:", in: "status", of: pid)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "needs Linux /proc"))
    func aWorkerGivenACPUKeepsEveryThreadOnIt() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let cpu = ProcessInfo.processInfo.activeProcessorCount - 1
        let worker = try cluster.startWorker("pinned", extra: ["--cpu", "\(cpu)"])
        cluster.waitForLog("pinned") { $0.contains("joined the coordinator") }
        let allowed = try Self.allowedCPUs(of: worker.processIdentifier)
        #expect(allowed.count >= 3, "\(allowed)")
        #expect(allowed.values.allSatisfy { $0 == "\(cpu)" }, "\(allowed)")
        let coordinator = try #require(cluster.coordinator)
        #expect(try Self.allowedCPUs(of: coordinator.processIdentifier).values.allSatisfy { $0 != "\(cpu)" }
                || cpu == 0, "the coordinator is not pinned")

        let refused = try Binary.run(["worker", "--connect", cluster.endpoint, "--cpu", "4096"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--cpu 4096: CPU 4096 is not one this process may use"), "\(refused.stderr)")
    }
}
