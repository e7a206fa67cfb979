import Core
import Foundation

/// Where the CLI writes: results to stdout, progress and logs to stderr, so `--json` output stays one line.
enum Console {
    static func info(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints `value` as one line of JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws {
        out(String(decoding: try ResultJSON.encoder.encode(value), as: UTF8.self))
    }
}
