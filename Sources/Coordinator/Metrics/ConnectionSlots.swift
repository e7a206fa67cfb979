import NIOCore
import Synchronization

/// The metrics endpoint's open connections, oldest first, at most ``limit``: admitting one more gives back the
/// oldest for the caller to close. Closing the oldest rather than refusing the newest means a client that holds
/// every slot cannot lock out the next probe; each of its connections is closed by age, and within
/// ``MetricsHTTPLimits/exchangeTimeout`` anyway.
final class ConnectionSlots: Sendable {
    let limit: Int
    private let open = Mutex<[any Channel]>([])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts `channel` as open.
    /// - Returns: The connection it displaces, to be closed, when there were already ``limit``.
    func admit(_ channel: any Channel) -> (any Channel)? {
        open.withLock { open in
            open.append(channel)
            return open.count > limit ? open.removeFirst() : nil
        }
    }

    /// `channel` has closed.
    func release(_ channel: any Channel) {
        open.withLock { open in open.removeAll { $0 === channel } }
    }
}
