import NIOCore
import NIOHTTP1

/// Closes a connection that has not had an answer written within `timeout` of its opening or of its previous
/// answer (``MetricsHTTPLimits/exchangeTimeout``): slow requests, idle keep-alive connections and clients that
/// stop reading all end there. Sits between the decoder and ``MetricsRequestHandler``, watching the answers go by.
final class ExchangeDeadlineHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var removed = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        deadline?.cancel()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenSuccess { self.arm(context) }
        context.write(data, promise: written)
    }

    /// Starts the clock again (an answer was written, or the connection opened).
    private func arm(_ context: ChannelHandlerContext) {
        guard !removed else { return }
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
