import Foundation
import Testing

/// The CLI on a terminal: `watch` run under a pseudo-terminal of 60, 80 and 200 columns redraws a progress line
/// that never reaches the terminal's last column, so it never wraps and leaves no half-drawn lines behind.
@Suite(.serialized) struct TerminalTests {
    /// `scripts/run-in-pty.py`: runs a command on a pseudo-terminal of a given width and prints what it wrote.
    static let ptyScript = DistributedTrainingTests.repositoryRoot + "/scripts/run-in-pty.py"

    /// Runs `arguments` under a pseudo-terminal `columns` wide, without waiting; its output goes to `log`.
    func startOnTerminal(_ cluster: TestCluster, columns: Int, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.ptyScript, "\(columns)", Binary.url.path] + arguments
            + ["--coordinator", cluster.endpoint]
        let url = cluster.folder.appendingPathComponent("\(log).log")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil), "cannot create \(url.path)")
        process.standardOutput = try FileHandle(forWritingTo: url)
        try process.run()
        return process
    }

    /// The redrawn progress lines in `output`: every piece that a carriage return goes back over.
    func progressLines(_ output: String) -> [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line in
            line.split(separator: "\r", omittingEmptySubsequences: false).dropLast()
        }
        .map { $0.replacingOccurrences(of: "\u{1b}[K", with: "") }
        .filter { !$0.isEmpty }
    }

    @Test func theProgressLineFitsEveryWidth() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        // 1,512 steps: long enough for many redraws.
        let id = try cluster.submit(DistributedTrainingTests.spec, FaultTests.overrides.map {
            $0 == "training.epochs=6" ? "training.epochs=24" : $0
        })
        let widths = [60, 80, 200]
        let watchers = try widths.map { try startOnTerminal(cluster, columns: $0, ["watch", id], log: "watch-\($0)") }
        for (width, watcher) in zip(widths, watchers) {
            let status = cluster.waitForExit(watcher, timeout: 300)
            let output = cluster.log("watch-\(width)")
            #expect(status == 0, "\(width) columns: \(output.suffix(2000))")
            let lines = progressLines(output)
            #expect(lines.contains { $0.hasPrefix("epoch ") }, "\(width) columns: no progress line drawn")
            for line in lines {
                #expect(line.count < width, "\(width) columns: \(line.count) characters: \(line)")
                #expect(!line.contains("loss 0.0000 acc 0.000"), "\(line)")
            }
            #expect(output.contains("\(id) done"), "\(output.suffix(500))")
        }
    }
}
