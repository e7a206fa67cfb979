import Foundation
import Synchronization

/// The ZeroMQ authentication handler (ZAP, RFC 27) of a CURVE server: admits the clients whose public key is in
/// a folder of authorized keys and refuses all others (status 400), so they never get a message through (the
/// coordinator); or admits every CURVE client, naming its key as the connection's user id, so that the receiver
/// can tell who sent each message (``InboundMessage/senderKey``: a worker's peer inbox, whose group changes).
///
/// It owns a REP socket bound to `inproc://zeromq.zap.01` of the server's context, served by a thread of its
/// own (the coordinator's loop stays single-threaded). Start it **before** the CURVE server binds: libzmq admits
/// every client while no handler is bound.
///
/// The folder is read at start (it must hold at least one valid key) and again at every handshake, so adding or
/// removing a key file takes effect for the next connection without a restart; peers already connected stay
/// connected. When the folder cannot be read at a handshake, everyone is refused (fails closed).
///
/// A refused peer is logged once per address and key (ZeroMQ clients reconnect by themselves), not once per
/// attempt.
public final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    private let control: Control

    /// Which CURVE clients are admitted: those whose key is in a folder, or all.
    private enum KeySource: Sendable {
        case folder(String)
        case everyCurveClient
    }

    /// State shared with the handler thread.
    private final class Control: Sendable {
        let thread = ServiceThread()
        let counts = Mutex<(admitted: Int, refused: Int)>((0, 0))
    }

    /// Reads the authorized keys, binds the ZAP endpoint of `context` and starts answering.
    ///
    /// - Parameter log: receives one line per newly refused peer or unreadable folder, from the handler thread.
    /// - Throws: ``CurveKeyError`` when the folder holds no valid key, ``ZMQError`` when the ZAP endpoint is taken
    ///   (another handler on this context).
    public convenience init(
        context: ZMQContext, authorizedFolder: String, log: @escaping @Sendable (String) -> Void
    ) throws {
        _ = try CurveKeys.readAuthorized(folder: authorizedFolder)
        try self.init(context: context, source: .folder(authorizedFolder), log: log)
    }

    /// Binds the ZAP endpoint of `context` and starts answering, admitting every CURVE client with its public key
    /// as the user id of its connection (the receiver then checks each message's ``InboundMessage/senderKey``).
    ///
    /// - Parameter log: receives one line per newly refused peer, from the handler thread.
    /// - Throws: ``ZMQError`` when the ZAP endpoint is taken (another handler on this context).
    public convenience init(
        admittingEveryCurveClientOf context: ZMQContext, log: @escaping @Sendable (String) -> Void
    ) throws {
        try self.init(context: context, source: .everyCurveClient, log: log)
    }

    private init(context: ZMQContext, source: KeySource, log: @escaping @Sendable (String) -> Void) throws {
        var options = SocketOptions()
        options.linger = .zero
        options.sendTimeout = .seconds(1)
        let socket = try ZMQSocket(.reply, context: context, options: options)
        try socket.bind(Self.endpoint)
        let control = Control()
        self.control = control
        let worker = Worker(socket: socket, source: source, control: control, log: log)
        control.thread.start(name: "distembed-zap") { worker.serve() }
    }

    deinit {
        stop()
    }

    /// Handshakes admitted and refused so far.
    public var counts: (admitted: Int, refused: Int) {
        control.counts.withLock { $0 }
    }

    /// Stops the handler thread and closes its socket (again is fine). After this, the server's context should
    /// be shut down too: a CURVE server without a handler admits everyone unless libzmq enforces the domain.
    public func stop() {
        control.thread.stop()
    }

    /// The handler thread's state; the socket is used only there (handed over at thread start).
    private final class Worker: @unchecked Sendable {
        var socket: ZMQSocket?
        let source: KeySource
        let control: Control
        let log: @Sendable (String) -> Void
        var logged: Set<String> = []

        init(socket: ZMQSocket, source: KeySource, control: Control, log: @escaping @Sendable (String) -> Void) {
            self.socket = socket
            self.source = source
            self.control = control
            self.log = log
        }

        func serve() {
            defer { socket = nil }
            guard let socket else { return }
            while !control.thread.isStopping {
                let frames: [Frame]?
                do {
                    frames = try socket.receive(timeout: .milliseconds(100))
                } catch where error.isContextTerminated {
                    return
                } catch {
                    logOnce("zap: receive failed: \(error)")
                    continue
                }
                guard let frames else { continue }
                let reply = answer(frames.map(\.bytes))
                do {
                    try socket.send(reply)
                } catch where error.isContextTerminated {
                    return
                } catch {
                    logOnce("zap: cannot answer: \(error)")
                }
            }
        }

        /// The reply frames to one ZAP request: version, request id, status code and text, user id, metadata.
        func answer(_ request: [[UInt8]]) -> [[UInt8]] {
            let text = { (index: Int) in request.indices.contains(index) ? String(decoding: request[index], as: UTF8.self) : "" }
            let requestId = request.count > 1 ? request[1] : []
            func reply(_ code: String, _ status: String, user: String = "") -> [[UInt8]] {
                [Array("1.0".utf8), requestId, Array(code.utf8), Array(status.utf8), Array(user.utf8), []]
            }
            guard request.count >= 6, text(0) == "1.0" else {
                return reply("500", "malformed ZAP request")
            }
            let address = text(3)
            guard text(5) == "CURVE", request.count >= 7, let key = CurveKeys.z85(request[6]) else {
                return refuse(reply("400", "CURVE required"),
                              "refused a connection from \(address): it did not use CURVE (\(text(5)))")
            }
            if case .folder(let folder) = source {
                let authorized: Set<String>
                do {
                    authorized = try CurveKeys.readAuthorized(folder: folder)
                } catch {
                    return refuse(reply("400", "no authorized keys"),
                                  "refused a connection from \(address): cannot read the authorized keys: \(error)")
                }
                guard authorized.contains(key) else {
                    return refuse(reply("400", "unknown public key"), "refused a connection from \(address): "
                        + "public key \(key) is not in the authorized keys folder \(folder)")
                }
            }
            control.counts.withLock { $0.admitted += 1 }
            return reply("200", "OK", user: key)
        }

        private func refuse(_ reply: [[UInt8]], _ line: String) -> [[UInt8]] {
            control.counts.withLock { $0.refused += 1 }
            logOnce(line)
            return reply
        }

        private func logOnce(_ line: String) {
            guard logged.insert(line).inserted else { return }
            if logged.count > 10_000 { logged.removeAll() }
            log(line)
        }
    }
}
