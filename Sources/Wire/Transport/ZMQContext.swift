import CZeroMQ

/// A ZeroMQ context: owns libzmq's I/O threads; sockets are created from it.
///
/// The context is terminated (`zmq_ctx_term`) when the last reference goes away. Every ``ZMQSocket`` keeps its
/// context alive, so termination happens after the sockets are closed and their `linger` has let the last
/// messages leave. Safe to share between threads.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads.
    ///
    /// - Throws: ``ZMQError`` when libzmq cannot create the context (out of file descriptors, usually).
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        try ZMQError.check("set ZMQ_IO_THREADS to \(ioThreads)") { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
    }

    /// Makes every blocking call on this context's sockets fail at once with `ETERM`, from any thread.
    ///
    /// Use it to stop a server loop from a signal handler or another thread; the loop's sockets must still be
    /// released for the context to terminate.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        _ = try? ZMQError.check("zmq_ctx_term") { zmq_ctx_term(handle) }
    }
}
