import ArgumentParser
import Foundation
import Worker

/// A coordinator and N workers started as child processes of `distembed run`, with their logs in a temporary
/// folder. Every process it starts is stopped by ``stop()``, which `run` calls on success, failure and Ctrl-C.
final class LocalCluster {
    enum Transport: String, CaseIterable, ExpressibleByArgument {
        case ipc, tcp
    }

    let folder: URL
    let executable: URL
    private(set) var coordinator: Process?
    private(set) var workers: [Process] = []
    private(set) var endpoint = ""

    init(executable: URL) throws {
        self.executable = executable
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "distembed-run-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    var storeFolder: URL { folder.appendingPathComponent("store") }

    /// Starts the coordinator and waits until it listens.
    func startCoordinator(transport: Transport, data: String, extra: [String]) throws {
        let listen = transport == .ipc
            ? "ipc://\(folder.appendingPathComponent("coordinator.sock").path)" : "tcp://127.0.0.1:*"
        let ready = folder.appendingPathComponent("ready")
        coordinator = try spawn(
            ["coordinator", "--listen", listen, "--store", storeFolder.path, "--data", data, "--ready-file",
             ready.path] + extra, log: "coordinator.log")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), !text.isEmpty {
                endpoint = text.split(separator: "\n")[0].replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1")
                return
            }
            if let c = coordinator, !c.isRunning {
                throw CLIError(ExitStatus(rawValue: c.terminationStatus) ?? .internalError,
                               "the coordinator exited (status \(c.terminationStatus)) before it listened:\n"
                    + logTail("coordinator.log"))
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw CLIError(
            .unavailable, "the coordinator did not start listening within 60 s:\n" + logTail("coordinator.log"))
    }

    /// Starts `count` workers connected to the coordinator, each pinned to a CPU of its own when `bindCPUs` and
    /// there are enough (``CPUBinding``); the coordinator stays unpinned.
    func startWorkers(_ count: Int, data: String, bindCPUs: Bool) throws {
        let cpus = CPUBinding.allowedCPUs()
        let bind = bindCPUs && count <= cpus.count
        for i in 1...count {
            workers.append(try spawn(
                ["worker", "--connect", endpoint, "--name", "worker-\(i)", "--data", data]
                    + (bind ? ["--cpu", "\(cpus[i - 1])"] : []),
                log: "worker-\(i).log"))
        }
    }

    /// The first child that exited, with its status and the end of its log.
    func failedChild() -> String? {
        if let c = coordinator, !c.isRunning {
            return "the coordinator exited with status \(c.terminationStatus):\n" + logTail("coordinator.log")
        }
        for (i, w) in workers.enumerated() where !w.isRunning {
            return "worker-\(i + 1) exited with status \(w.terminationStatus):\n" + logTail("worker-\(i + 1).log")
        }
        return nil
    }

    /// Peak resident memory (VmHWM) of each running child in MB, by role: `coordinator`, `worker-1`, ...
    func peakResidentMB() -> [String: Double] {
        var out: [String: Double] = [:]
        let named = [("coordinator", coordinator)] + workers.enumerated().map { ("worker-\($0.offset + 1)", $0.element) }
        for case let (name, process?) in named where process.isRunning {
            guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kB = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { continue }
            out[name] = (kB / 1024 * 10).rounded() / 10
        }
        return out
    }

    /// SIGTERM to every child, SIGKILL to those still running after 5 s; removes the folder.
    func stop() {
        let all = workers + [coordinator].compactMap { $0 }
        for p in all where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(5)
        while all.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        for p in all where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in all { p.waitUntilExit() }
        try? FileManager.default.removeItem(at: folder)
    }

    func logTail(_ name: String, lines: Int = 15) -> String {
        let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).map { "  \($0)" }.joined(separator: "\n")
    }

    private func spawn(_ arguments: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let logURL = folder.appendingPathComponent(log)
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw CLIError(.ioError, "cannot create the log file \(logURL.path)")
        }
        let handle = try FileHandle(forWritingTo: logURL)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }
}
