import Logging
import NIOCore
import NIOHTTP1

/// Answers each request of one connection from ``MetricsRoutes`` once it has arrived whole, dropping any body;
/// answers a request the decoder refused (too large or malformed) or whose body is too large with a status that
/// says so, and closes the connection.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: MetricsRoutes
    private let logger: Logger
    /// The request being received and the body bytes dropped so far.
    private var request: (head: HTTPRequestHead, bodyBytes: Int)?
    /// A refusal was sent and the connection is closing: ignore whatever else arrives.
    private var closing = false

    init(routes: MetricsRoutes, logger: Logger) {
        self.routes = routes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = (head, 0)
        case .body(let bytes):
            request?.bodyBytes += bytes.readableBytes
            if let request, request.bodyBytes > MetricsHTTPLimits.requestBodyBytes {
                refuse(
                    context, .payloadTooLarge,
                    "the request body is over \(MetricsHTTPLimits.requestBodyBytes) bytes; "
                        + "these paths take no body, send a plain GET")
            }
        case .end:
            guard let request else { return }
            self.request = nil
            let answer = routes.answer(method: request.head.method, uri: request.head.uri)
            respond(context, answer, version: request.head.version, keepAlive: request.head.isKeepAlive)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        switch error {
        case HTTPParserError.headerOverflow, is ByteToMessageDecoderError.PayloadTooLargeError:
            refuse(
                context, .requestHeaderFieldsTooLarge,
                "the request line and headers are over \(MetricsHTTPLimits.requestHeadBytes) bytes; "
                    + "send a shorter URL and fewer or smaller headers")
        case let error as HTTPParserError:
            refuse(context, .badRequest, "malformed HTTP request (\(error)); send GET /metrics, /healthz or /readyz")
        default:
            // The connection failed (reset by the client, say): nothing to answer.
            logger.debug("http: connection failed", metadata: ["error": "\(error)"])
            closing = true
            context.close(promise: nil)
        }
    }

    /// Answers `status` with `reason` and closes the connection once the answer is written.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ reason: String) {
        let peer = context.remoteAddress.map { "\($0)" } ?? "?"
        logger.debug(
            "http: refused a request", metadata: ["status": "\(status.code)", "reason": "\(reason)", "peer": "\(peer)"])
        closing = true
        request = nil
        respond(context, MetricsRoutes.Answer(status: status, body: reason + "\n"), version: .http1_1, keepAlive: false)
    }

    private func respond(
        _ context: ChannelHandlerContext, _ answer: MetricsRoutes.Answer, version: HTTPVersion, keepAlive: Bool
    ) {
        let body = context.channel.allocator.buffer(string: answer.body)
        var headers = HTTPHeaders([
            ("Content-Type", answer.contentType), ("Content-Length", "\(body.readableBytes)"),
        ])
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: answer.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
