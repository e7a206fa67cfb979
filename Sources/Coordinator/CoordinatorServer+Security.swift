import Logging
import Wire

/// The coordinator refused to start with the security settings it was given; the message says what to do.
public struct CoordinatorSecurityError: Error, CustomStringConvertible {
    public var description: String
}

extension CoordinatorServer {
    /// Checks the endpoints against ``ListenPolicy`` and the CURVE settings; logs the `--insecure` warning.
    ///
    /// - Throws: ``CoordinatorSecurityError`` when the endpoints need CURVE, or CURVE lacks its authorized keys.
    static func checkSecurity(_ options: CoordinatorOptions, logger: Logger) throws {
        if options.curve != nil && options.authorizedKeysFolder == nil {
            throw CoordinatorSecurityError(description: "--curve-secret needs --authorized FOLDER (the public keys "
                + "of the workers and clients to admit); without it any client could connect")
        }
        if options.curve == nil && options.authorizedKeysFolder != nil {
            throw CoordinatorSecurityError(description: "--authorized needs --curve-secret FILE (the coordinator's "
                + "secret key, from `distembed keygen --out DIR`)")
        }
        switch ListenPolicy.check(options.listen, curve: options.curve != nil, insecure: options.insecure) {
        case .allowed:
            break
        case .insecure(let warning):
            logger.warning("\(warning)")
        case .refused(let message):
            throw CoordinatorSecurityError(description: message)
        }
    }

    /// Starts the ZAP handler on `context` when CURVE is on; it must run before the ROUTER binds.
    static func startAuthentication(_ options: CoordinatorOptions, context: ZMQContext, logger: Logger) throws
        -> ZAPHandler?
    {
        guard options.curve != nil, let folder = options.authorizedKeysFolder else { return nil }
        let handler = try ZAPHandler(context: context, authorizedFolder: folder) { line in
            logger.warning("\(line)")
        }
        logger.info("CURVE on", metadata: ["authorized": "\(folder)"])
        return handler
    }

    /// Starts logging the peers that fail the handshake before ZAP (no CURVE, or the wrong coordinator key) when
    /// CURVE is on.
    static func startHandshakeMonitor(
        _ options: CoordinatorOptions, router: RouterEndpoint, context: ZMQContext, logger: Logger
    ) throws -> HandshakeMonitor? {
        guard options.curve != nil else { return nil }
        return try HandshakeMonitor(socket: router.socket, context: context) { line in
            logger.warning("\(line)")
        }
    }

    /// The socket options of the coordinator's ROUTER.
    /// Messages queued for or from one peer (`ZMQ_SNDHWM`, `ZMQ_RCVHWM`): a worker has one assignment, one
    /// result and a few heartbeats in flight, a client one request. A peer that sends without reading its replies
    /// finds its replies dropped and its sends held back by TCP, instead of growing the coordinator's memory by a
    /// thousand messages (libzmq's default).
    static let queuedMessagesPerPeer: Int32 = 32

    static func routerOptions(_ options: CoordinatorOptions) -> SocketOptions {
        var socketOptions = SocketOptions()
        socketOptions.sendTimeout = .milliseconds(100)
        socketOptions.linger = .milliseconds(200)
        socketOptions.maxMessageSize = options.maxMessageSize
        socketOptions.sendHighWaterMark = Self.queuedMessagesPerPeer
        socketOptions.receiveHighWaterMark = Self.queuedMessagesPerPeer
        socketOptions.curve = options.curve
        return socketOptions
    }
}
