import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The coordinator's plain-HTTP endpoint (`--metrics-listen`): `GET /metrics` in the Prometheus text format,
/// `GET /healthz` and `GET /readyz` answering 200 or 503 with the reason, 404 for any other path
/// (``MetricsRoutes``). SwiftNIO serves it on one event-loop thread of its own, beside the coordinator's thread,
/// within ``MetricsHTTPLimits``. Release it off that event loop (the coordinator's thread does): releasing it
/// stops the thread.
final class MetricsHTTPServer: Sendable {
    /// The bound address, e.g. `127.0.0.1:9464` (the chosen port when port 0 was asked for).
    let boundAddress: String
    private let group: MultiThreadedEventLoopGroup

    /// Binds `address`, starts serving and returns once it listens. Blocks the calling thread until then, so call
    /// it from a thread of your own (the coordinator's), never from a task or an event loop.
    /// - Throws: ``MetricsServerError`` when the address cannot be bound, saying why and what to do.
    init(address: MetricsListenAddress, metrics: CoordinatorMetrics, health: CoordinatorHealth, logger: Logger)
        throws(MetricsServerError)
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let routes = MetricsRoutes(metrics: metrics, health: health)
        let slots = ConnectionSlots(limit: MetricsHTTPLimits.connections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: MetricsHTTPLimits.acceptBacklog)
            .serverChannelOption(.maxMessagesPerRead, value: MetricsHTTPLimits.acceptsPerWakeup)
            .childChannelInitializer { channel in
                if let oldest = slots.admit(channel) {
                    logger.debug(
                        "http: closed the oldest connection to admit a new one",
                        metadata: ["limit": "\(MetricsHTTPLimits.connections)"])
                    oldest.close(promise: nil)
                }
                channel.closeFuture.whenComplete { _ in slots.release(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        BackPressureHandler(),
                        HTTPResponseEncoder(),
                        ByteToMessageHandler(
                            HTTPRequestDecoder(limitConfiguration: Self.decoderLimits),
                            maximumBufferSize: MetricsHTTPLimits.bufferedBytes),
                        ExchangeDeadlineHandler(timeout: MetricsHTTPLimits.exchangeTimeout),
                        MetricsRequestHandler(routes: routes, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(to: address.socketAddress).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw Self.explain(error, address: address)
        }
        self.group = group
        if let ip = channel.localAddress?.ipAddress, let port = channel.localAddress?.port {
            boundAddress = ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        } else {
            boundAddress = address.description
        }
    }

    deinit {
        // Closes the listening socket and every connection, and ends the event loop's thread.
        try? group.syncShutdownGracefully()
    }

    /// ``MetricsHTTPLimits/requestHeadBytes`` for the URL, each header and all of them together.
    private static var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = MetricsHTTPLimits.requestHeadBytes
        limits.maxHeaderListSize = MetricsHTTPLimits.requestHeadBytes
        return limits
    }

    private static func explain(_ error: any Error, address: MetricsListenAddress) -> MetricsServerError {
        let prefix = "cannot serve metrics on \(address) (--metrics-listen)"
        guard let error = error as? IOError else {
            return MetricsServerError("\(prefix): \(error)")
        }
        let advice = switch error.errnoCode {
        case EADDRINUSE: "another process holds the port; choose a free one, e.g. --metrics-listen 127.0.0.1:9465"
        case EADDRNOTAVAIL: "the host is not one of this machine's addresses; use 127.0.0.1 or 0.0.0.0"
        case EACCES: "ports below 1024 need privileges; use a port like 9464"
        default: "choose another HOST:PORT with --metrics-listen (or DISTEMBED_METRICS_LISTEN)"
        }
        return MetricsServerError("\(prefix): \(String(cString: strerror(error.errnoCode))); \(advice)")
    }
}
