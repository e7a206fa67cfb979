import Synchronization

/// The public keys (Z85) a ``ZAPHandler`` admits when they are not in a folder: a worker's peer inbox admits the
/// members of its current sharded group, which its thread replaces as groups come and go while the handler
/// thread reads them at every handshake.
public final class AuthorizedKeyList: Sendable {
    private let keys = Mutex<Set<String>>([])

    public init() {}

    /// The keys admitted from now on (connections already admitted stay).
    public func replace(with keys: Set<String>) {
        self.keys.withLock { $0 = keys }
    }

    /// The keys admitted now.
    public var current: Set<String> {
        keys.withLock { $0 }
    }
}
