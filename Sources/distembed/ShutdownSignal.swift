import Foundation
import Synchronization

/// SIGINT and SIGTERM as a flag the long-running loops poll, so they stop cleanly (and close their sockets).
///
/// A stop must not depend on every loop noticing the flag: once one was seen to be ignored for ten minutes (issue
/// 21). So the first signal also arms a watchdog: a process still running ``gracePeriod`` later says so and exits.
/// Checkpoints and the store's transactions make that as safe as `kill -9`, which the tests inflict routinely.
enum ShutdownSignal {
    static let requested = Atomic<Bool>(false)

    /// How long a clean stop may take before the watchdog ends the process (seconds).
    static let gracePeriod: UInt32 = 20

    /// The exit status when the watchdog ends a stop that took too long (`EX_SOFTWARE`).
    static let watchdogStatus: Int32 = 70

    /// Installs the handlers; a second signal while stopping exits at once.
    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if ShutdownSignal.requested.exchange(true, ordering: .relaxed) { _exit(130) }
                alarm(ShutdownSignal.gracePeriod)
            }
        }
        _ = watchdogMessage.count  // made now: a signal handler must not allocate
        signal(SIGALRM) { _ in
            // Only async-signal-safe calls here: write(2) and _exit(2).
            ShutdownSignal.watchdogMessage.withUnsafeBufferPointer { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
            _exit(ShutdownSignal.watchdogStatus)
        }
    }

    private static let watchdogMessage = Array(
        "distembed: still running \(gracePeriod) s after the stop signal; exiting (status \(watchdogStatus))\n".utf8)

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
