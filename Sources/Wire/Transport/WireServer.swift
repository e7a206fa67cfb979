#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request-reply server loop over a ``RouterEndpoint``: decodes, checks the protocol version, calls a handler,
/// answers bad input with typed errors and keeps serving.
///
/// The coordinator builds its own loop from the same parts (``RouterEndpoint``, ``Poller``); this one serves tools
/// and tests. Use from one thread.
public final class WireServer {
    /// The endpoint served.
    public let router: RouterEndpoint
    /// Messages passed to the handler so far.
    public private(set) var handledCount = 0
    /// Bad messages answered with an error so far.
    public private(set) var rejectedCount = 0
    private let log: (String) -> Void

    /// Creates a server; `log` receives one line per rejected message or failed reply (default: standard error).
    public init(router: RouterEndpoint, log: @escaping (String) -> Void = WireServer.logToStandardError) {
        self.router = router
        self.log = log
    }

    /// Serves until `shouldStop` returns true (checked at least every `pollInterval`) or the context shuts down.
    ///
    /// - Parameter handler: returns the reply body for a message (sent with its request id), or nil for no reply.
    ///   A thrown ``WireError`` is sent back as is; any other error as ``ErrorCode/internal``.
    /// - Throws: ``ZMQError`` when the socket fails for a reason other than the context shutting down.
    public func run(
        pollInterval: Duration = .milliseconds(100), until shouldStop: () -> Bool = { false },
        handler: (InboundMessage) throws -> WireMessage?
    ) throws(ZMQError) {
        while !shouldStop() {
            let inbound: Inbound?
            do {
                inbound = try router.receive(timeout: pollInterval)
            } catch where error.isContextTerminated {
                return
            }
            switch inbound {
            case nil:
                continue
            case .message(let message)?:
                handledCount += 1
                let reply: WireMessage?
                do {
                    reply = try handler(message)
                } catch let error as WireError {
                    reply = .error(error)
                } catch {
                    reply = .error(WireError(.internal, "\(message.envelope.message.name) failed: \(error)"))
                }
                if let reply {
                    send(reply, requestId: message.envelope.requestId, to: message.peer)
                }
            case .invalid(let peer, let requestId, let error)?:
                rejectedCount += 1
                log("wire: rejected a message from \(peer): \(error)")
                send(.error(error), requestId: requestId, to: peer)
            }
        }
    }

    private func send(_ reply: WireMessage, requestId: UInt64, to peer: PeerID) {
        do {
            try router.send(reply, requestId: requestId, to: peer)
        } catch {
            log("wire: could not send \(reply.name) to \(peer): \(error)")
        }
    }

    /// Writes `line` and a newline to standard error.
    public static func logToStandardError(_ line: String) {
        let text = line + "\n"
        _ = text.utf8CString.withUnsafeBytes { write(2, $0.baseAddress, $0.count - 1) }
    }
}
