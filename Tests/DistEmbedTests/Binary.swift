import Foundation
import Testing

/// Runs the built `distembed` executable, as a user would.
enum Binary {
    /// The `distembed` executable beside the test bundle (SwiftPM builds both into one folder),
    /// or `DISTEMBED_BIN` when set.
    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["DISTEMBED_BIN"] {
            return URL(fileURLWithPath: path)
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !dir.path.isEmpty && dir.path != "/" {
            let candidate = dir.appendingPathComponent("distembed")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "distembed")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The last non-empty line of stdout: the JSON result of a `--json` command.
        var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
    }

    /// Runs `distembed ARGS` to completion and returns its exit status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errDone.wait()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Parses the last stdout line of a `--json` run.
    static func json(_ output: Output) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.lastLine.utf8))
        return try #require(object as? [String: Any], "last stdout line is not a JSON object: \(output.lastLine)")
    }
}
