import Core
import Foundation

/// Where the CLI writes: results to stdout, progress and logs to stderr, so `--json` output stays one line.
enum Console {
    /// Whether stderr is a terminal, where `watch` redraws a progress line in place.
    static let isLive = isatty(2) == 1

    /// Writes `line` to stderr; on a terminal it first erases a progress line being redrawn there.
    static func info(_ line: String) {
        FileHandle.standardError.write(Data(((isLive ? eraseLine : "") + line + "\n").utf8))
    }

    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Redraws the progress line on the terminal (nothing elsewhere), cut to the terminal's width.
    static func progress(_ line: ProgressLine, prefix: String = "") {
        guard isLive else { return }
        let width = TerminalWidth.standardError() - prefix.count
        FileHandle.standardError.write(Data((eraseLine + prefix + line.text(width: width)).utf8))
    }

    /// Erases a redrawn progress line: back to column 1, clear to the end of the line.
    static func eraseProgress() {
        if isLive { FileHandle.standardError.write(Data(eraseLine.utf8)) }
    }

    private static let eraseLine = "\r\u{1b}[K"

    /// Prints `value` as one line of JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws {
        out(String(decoding: try ResultJSON.encoder.encode(value), as: UTF8.self))
    }
}
