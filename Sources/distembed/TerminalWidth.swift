#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The width of the terminal on stderr, asked anew at each redraw so a resized window is followed.
enum TerminalWidth {
    /// Columns of the terminal on stderr (TIOCGWINSZ); 80 when it does not say.
    static func standardError() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
