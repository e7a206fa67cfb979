import FlyingFox
import FlyingSocks
import Foundation
import Logging

/// The coordinator's plain-HTTP endpoint (`--metrics-listen`): `GET /metrics` in the Prometheus text format,
/// `GET /healthz` and `GET /readyz` answering 200 or 503 with the reason, 404 for any other path. FlyingFox serves
/// it on Swift concurrency's threads, beside the coordinator's own thread; stopping is cancelling its task.
final class MetricsHTTPServer: Sendable {
    /// The bound address, e.g. `127.0.0.1:9464` (the chosen port when port 0 was asked for).
    let boundAddress: String
    private let task: Task<Void, Never>

    /// Binds `address`, starts serving and returns once it listens. Blocks the calling thread until then, so call
    /// it from a thread of your own (the coordinator's), never from a task.
    /// - Throws: ``MetricsServerError`` when the address cannot be bound, saying why and what to do.
    init(address: MetricsListenAddress, metrics: CoordinatorMetrics, health: CoordinatorHealth, logger: Logger)
        throws(MetricsServerError)
    {
        let server = HTTPServer(
            address: address.socketAddress, timeout: 10, logger: SwiftLogBridge(logger: logger),
            handler: Routes(metrics: metrics, health: health))
        let started = StartSignal()
        let task = Task {
            do {
                try await server.run()
            } catch {
                if !started.finish(.failure(error)) && !Task.isCancelled {
                    logger.error("the metrics endpoint stopped", metadata: ["error": "\(error)"])
                }
            }
        }
        self.task = task
        Task {
            do {
                try await server.waitUntilListening(timeout: 10)
                started.finish(.success(await server.listeningAddress))
            } catch {
                started.finish(.failure(error))
            }
        }
        switch started.wait() {
        case .success(.ip4(let host, let port)?): boundAddress = "\(host):\(port)"
        case .success(.ip6(let host, let port)?): boundAddress = "[\(host)]:\(port)"
        case .success: boundAddress = address.description
        case .failure(let error):
            task.cancel()
            throw Self.explain(error, address: address)
        }
    }

    deinit {
        task.cancel()
    }

    private static func explain(_ error: any Error, address: MetricsListenAddress) -> MetricsServerError {
        let prefix = "cannot serve metrics on \(address) (--metrics-listen)"
        guard case SocketError.failed(_, let code, let message) = error else {
            return MetricsServerError("\(prefix): \(error)")
        }
        let advice = switch code {
        case EADDRINUSE: "another process holds the port; choose a free one, e.g. --metrics-listen 127.0.0.1:9465"
        case EADDRNOTAVAIL: "the host is not one of this machine's addresses; use 127.0.0.1 or 0.0.0.0"
        case EACCES: "ports below 1024 need privileges; use a port like 9464"
        default: "choose another HOST:PORT with --metrics-listen (or DISTEMBED_METRICS_LISTEN)"
        }
        return MetricsServerError("\(prefix): \(message); \(advice)")
    }
}

/// Answers the three paths.
private struct Routes: HTTPHandler {
    let metrics: CoordinatorMetrics
    let health: CoordinatorHealth

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.method == .GET else {
            return Self.text(.methodNotAllowed, "only GET is served\n")
        }
        switch request.path {
        case "/metrics":
            return Self.text(.ok, metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/healthz":
            return Self.probe(health.liveness())
        case "/readyz":
            return Self.probe(health.readiness())
        default:
            return Self.text(.notFound, "no such path: \(request.path); try /metrics, /healthz or /readyz\n")
        }
    }

    private static func probe(_ answer: CoordinatorHealth.Answer) -> HTTPResponse {
        text(answer.ok ? .ok : .serviceUnavailable, answer.reason + "\n")
    }

    private static func text(
        _ status: HTTPStatusCode, _ body: String, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: contentType], body: Data(body.utf8))
    }
}

/// Carries the server's first outcome (listening, or the error that stopped it) to the thread waiting in `init`.
private final class StartSignal: @unchecked Sendable {
    private let lock = NSLock()
    private let semaphore = DispatchSemaphore(value: 0)
    private var outcome: Result<Socket.Address?, any Error>?

    /// Keeps the first outcome; later ones are ignored.
    /// - Returns: Whether this was the first.
    @discardableResult
    func finish(_ result: Result<Socket.Address?, any Error>) -> Bool {
        let first = lock.withLock {
            guard outcome == nil else { return false }
            outcome = result
            return true
        }
        if first { semaphore.signal() }
        return first
    }

    func wait() -> Result<Socket.Address?, any Error> {
        semaphore.wait()
        return lock.withLock { outcome! }
    }
}

/// FlyingFox's log lines through swift-log, at debug but for its warnings: the rest is per-connection chatter,
/// connections a client dropped, and the server's own failure, which ``MetricsHTTPServer`` reports with advice.
private struct SwiftLogBridge: FlyingSocks.Logging {
    let logger: Logger

    func logDebug(_ debug: @autoclosure () -> String) { logger.debug("http: \(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("http: \(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.warning("http: \(warning())") }
    func logError(_ error: @autoclosure () -> String) { logger.debug("http: \(error())") }
    func logCritical(_ critical: @autoclosure () -> String) { logger.debug("http: \(critical())") }
}
