import CZeroMQ

/// Waits on several sockets at once, with a timeout: the heart of a single-threaded event loop.
public final class Poller {
    /// The sockets polled, in the order their indices are reported.
    public let sockets: [ZMQSocket]
    private var items: [zmq_pollitem_t]

    /// Creates a poller over `sockets`, all used from the polling thread.
    public init(_ sockets: [ZMQSocket]) {
        self.sockets = sockets
        items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
    }

    /// The indices of the sockets with a message to read, waiting at most `timeout` for the first one.
    /// Empty when the timeout passed or a signal interrupted the wait.
    ///
    /// - Throws: ``ZMQError``; ``ZMQError/isContextTerminated`` once the context shuts down.
    public func poll(timeout: Duration) throws(ZMQError) -> [Int] {
        guard try ZMQError.poll({ zmq_poll(&items, Int32(items.count), Int(timeout.zmqMilliseconds)) }) > 0 else {
            return []
        }
        return items.indices.filter { items[$0].revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
