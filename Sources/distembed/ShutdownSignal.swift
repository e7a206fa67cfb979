import Foundation
import Synchronization

/// SIGINT and SIGTERM as a flag the long-running loops poll, so they stop cleanly (and close their sockets).
enum ShutdownSignal {
    static let requested = Atomic<Bool>(false)

    /// Installs the handlers; a second signal while stopping exits at once.
    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if ShutdownSignal.requested.exchange(true, ordering: .relaxed) { _exit(130) }
            }
        }
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
