import Foundation
import Synchronization

/// The lifecycle of a thread that serves one socket until asked to stop, shared by ``ZAPHandler`` and
/// ``HandshakeMonitor``: the body checks ``isStopping`` between receives (which time out every 100 ms) and
/// returns; ``stop()`` waits for that, and may be called again.
final class ServiceThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    var isStopping: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }

    /// Runs `body` on a new thread named `name`.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the body to return and waits until it has.
    func stop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        finished.wait()
        finished.signal()
    }
}
