import Foundation
import Testing

/// A coordinator and workers started by a test as real processes of the built binary; `stop()` ends them all.
final class TestCluster {
    let folder: URL
    private(set) var coordinator: Process?
    private(set) var workers: [String: Process] = [:]
    private(set) var endpoint = ""

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("distembed-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var store: URL { folder.appendingPathComponent("store") }

    func log(_ name: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    /// Runs the CLI with `arguments` against this cluster's coordinator.
    func cli(_ arguments: [String]) throws -> Binary.Output {
        try Binary.run(arguments + ["--coordinator", endpoint])
    }

    /// Submits `spec` with `arguments` (`--set`s and the like) and returns the experiment's id; a refused submit
    /// is a test failure.
    func submit(_ spec: String, _ arguments: [String]) throws -> String {
        let out = try cli(["submit", spec, "--json"] + arguments)
        #expect(out.status == 0, "\(out.stderr)")
        return try #require(Binary.json(out)["experimentId"] as? String)
    }

    /// Waits until `name`'s log satisfies `condition` (at most `timeout` seconds); returns whether it did.
    @discardableResult
    func waitForLog(_ name: String, timeout: Double = 30, until condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(log(name)) {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }

    /// Starts `distembed coordinator` on an ipc endpoint in the test's folder (or tcp on a free port).
    func startCoordinator(tcp: Bool = false, extra: [String] = []) throws {
        let ready = folder.appendingPathComponent("ready")
        try? FileManager.default.removeItem(at: ready)
        let listen = tcp ? "tcp://127.0.0.1:*" : "ipc://\(folder.appendingPathComponent("c.sock").path)"
        coordinator = try spawn(
            ["coordinator", "--listen", listen, "--store", store.path, "--ready-file", ready.path] + extra,
            log: "coordinator")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), !text.isEmpty {
                endpoint = String(text.split(separator: "\n")[0])
                return
            }
            if coordinator?.isRunning == false { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestClusterError(message: "coordinator did not start:\n\(log("coordinator"))")
    }

    /// Starts a worker connected to this cluster's coordinator, or to `connect`.
    @discardableResult
    func startWorker(_ name: String, connect: String? = nil, extra: [String] = []) throws -> Process {
        let p = try spawn(["worker", "--connect", connect ?? endpoint, "--name", name] + extra, log: name)
        workers[name] = p
        return p
    }

    /// Starts the CLI with `arguments` against this cluster's coordinator without waiting for it; its stdout and
    /// stderr go to `log`.
    func startCLI(_ arguments: [String], log: String) throws -> Process {
        try spawn(arguments + ["--coordinator", endpoint], log: log)
    }

    /// Waits for a process to exit (at most `timeout` seconds) and returns its status.
    func waitForExit(_ p: Process, timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return p.isRunning ? nil : p.terminationStatus
    }

    func stop() {
        let all = Array(workers.values) + [coordinator].compactMap { $0 }
        for p in all where p.isRunning { p.terminate() }
        for p in all { _ = waitForExit(p, timeout: 5) }
        for p in all where p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }

    private func spawn(_ arguments: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = Binary.url
        p.arguments = arguments
        let url = folder.appendingPathComponent("\(log).log")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil), "cannot create \(url.path)")
        let handle = try FileHandle(forWritingTo: url)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }
}

struct TestClusterError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
