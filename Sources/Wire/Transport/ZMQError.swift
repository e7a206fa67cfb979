import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed ZeroMQ call: the only place `zmq_errno()` becomes a Swift error.
public struct ZMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `errno` value libzmq reported (`EAGAIN` for a timeout, `ETERM` once the context shuts down).
    public var code: Int32
    /// What was being done, e.g. `bind tcp://*:5555`.
    public var operation: String
    /// libzmq's explanation, plus a hint where one helps.
    public var message: String

    /// Creates an error from its parts.
    public init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    /// `operation: message`.
    public var description: String {
        "\(operation): \(message)"
    }

    /// True when the call gave up because its timeout passed.
    public var isTimeout: Bool {
        code == EAGAIN
    }

    /// True when the socket's context was shut down; the caller should stop using the socket.
    public var isContextTerminated: Bool {
        code == ETERM
    }

    /// The error of the libzmq call that just failed.
    static func last(_ operation: String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, operation: operation, message: String(cString: zmq_strerror(code)))
    }

    /// An operation that gave up after `timeout`.
    static func timedOut(_ operation: String, after timeout: Duration) -> ZMQError {
        ZMQError(code: EAGAIN, operation: operation, message: "no answer within \(timeout)")
    }

    /// Runs `zmq_poll` and returns how many items are ready; 0 when a signal interrupted the wait.
    static func poll(_ call: () -> Int32) throws(ZMQError) -> Int32 {
        let ready = call()
        if ready >= 0 { return ready }
        if zmq_errno() == EINTR { return 0 }
        throw last("poll")
    }

    /// Runs a libzmq call that returns a negative value on failure, retrying when a signal interrupts it.
    @discardableResult
    static func check(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(ZMQError) -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            if zmq_errno() != EINTR { throw last(operation()) }
        }
    }
}
