import Foundation
import Testing
import Wire

/// `distembed debug wire-echo` and `distembed debug wire-bench` in two real processes.
@Suite("Wire protocol between two processes")
struct WireProcessTests {
    @Test("every message type and a model-sized gradient cross between processes", arguments: ["tcp", "ipc"])
    func echoAcrossProcesses(transport: String) throws {
        let listen = transport == "tcp" ? "tcp://127.0.0.1:*" : "ipc:///tmp/de-wire-\(UUID().uuidString.prefix(8)).sock"
        let server = Process()
        server.executableURL = Binary.url
        server.arguments = ["debug", "wire-echo", "--listen", listen, "--max-seconds", "120"]
        let serverOut = Pipe()
        let serverErr = Pipe()
        server.standardOutput = serverOut
        server.standardError = serverErr
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
        }
        let banner = readLine(from: serverOut.fileHandleForReading)
        let endpoint = try #require(banner.split(separator: " ").last.map(String.init), "wire-echo printed '\(banner)'")
        #expect(banner.hasPrefix("listening \(transport)://"))

        let bench = try Binary.run([
            "debug", "wire-bench", "--connect", endpoint, "--count", "40", "--warmup", "5", "--json",
        ])
        #expect(bench.status == 0, "wire-bench failed: \(bench.stderr)")
        let json = try Binary.json(bench)
        #expect(json["messageTypesVerified"] as? Int == WireMessage.examples.count)
        let small = try #require(json["small"] as? [String: Any])
        let gradient = try #require(json["gradient"] as? [String: Any])
        #expect(small["count"] as? Int == 40)
        #expect((gradient["bytes"] as? Int ?? 0) > 72_842 * 4)
        #expect((gradient["p50Us"] as? Double ?? 0) > 0)

        server.terminate()
        server.waitUntilExit()
        if transport == "ipc" {
            try? FileManager.default.removeItem(atPath: String(endpoint.dropFirst("ipc://".count)))
        }
        let log = String(decoding: serverErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(server.terminationStatus == 0, "wire-echo exited with \(server.terminationStatus): \(log)")
        #expect(log.contains("wire-echo: answered \(WireMessage.examples.count + 2 * 45), rejected 0"), "\(log)")
    }

    /// The first line a child process writes (empty if it exits first).
    private func readLine(from handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
            if bytes.contains(UInt8(ascii: "\n")) { break }
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
