import CZeroMQ
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reports the peers that fail a CURVE server's handshake before ZAP is asked: a client without CURVE (mechanism
/// mismatch) or with the wrong server key (the first CURVE command does not decrypt). ``ZAPHandler`` reports the
/// rest (a known mechanism with an unknown key).
///
/// libzmq 4.3's stable monitor (`zmq_socket_monitor`) names only the *bound* endpoint in a handshake failure; the
/// versioned monitor that gives the peer's is draft API, absent from Debian's build. So the peer's address comes
/// from the descriptor that `ZMQ_EVENT_ACCEPTED` carries (`getpeername`), and a failure is tied to its connection
/// by the `ZMQ_EVENT_DISCONNECTED` of that descriptor, which the engine emits right after the failure on the same
/// I/O thread (the context must have one, the default).
///
/// Each address is reported once: clients reconnect by themselves, every 100 ms. A connection that closed before
/// the monitor thread could read its address is reported as coming from an unknown address (once).
public final class HandshakeMonitor: Sendable {
    private static let count = Atomic<Int>(0)
    private let thread = ServiceThread()

    /// Starts monitoring `socket` (of `context`) on a thread of its own.
    ///
    /// - Parameter log: receives one line per newly refused peer, from the monitor thread.
    /// - Throws: ``ZMQError`` when libzmq cannot monitor the socket.
    public init(socket: ZMQSocket, context: ZMQContext, log: @escaping @Sendable (String) -> Void) throws(ZMQError) {
        let endpoint = "inproc://distembed.handshakes.\(Self.count.wrappingAdd(1, ordering: .relaxed).newValue)"
        let events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_DISCONNECTED
        try ZMQError.check("zmq_socket_monitor") { zmq_socket_monitor(socket.handle, endpoint, events) }
        var options = SocketOptions()
        options.linger = .zero
        let pair = try ZMQSocket(.pair, context: context, options: options)
        try pair.connect(endpoint)
        let worker = Worker(socket: pair, thread: thread, log: log)
        thread.start(name: "distembed-handshakes") { worker.serve() }
    }

    deinit {
        stop()
    }

    /// Stops the monitor thread (again is fine).
    public func stop() {
        thread.stop()
    }

    /// The monitor thread's state; the socket is used only there.
    private final class Worker: @unchecked Sendable {
        var socket: ZMQSocket?
        let thread: ServiceThread
        let log: @Sendable (String) -> Void
        /// The peer address of each accepted connection still open, by descriptor.
        var addresses: [Int32: String] = [:]
        /// Why the last handshake failed; the next disconnection is that connection's.
        var failure: String?
        var logged: Set<String> = []

        init(socket: ZMQSocket, thread: ServiceThread, log: @escaping @Sendable (String) -> Void) {
            self.socket = socket
            self.thread = thread
            self.log = log
        }

        func serve() {
            defer { socket = nil }
            guard let socket else { return }
            while !thread.isStopping {
                do {
                    // Two frames: the event (UInt16) and its value (UInt32) in native order, then the endpoint.
                    guard let frames = try socket.receive(timeout: .milliseconds(100)) else { continue }
                    let bytes = frames[0].bytes
                    guard bytes.count == 6 else { continue }
                    let event = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
                    let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
                    handle(event: Int32(event), value: value)
                } catch {
                    return  // the context is shutting down
                }
            }
        }

        func handle(event: Int32, value: UInt32) {
            let descriptor = Int32(bitPattern: value)
            switch event {
            case ZMQ_EVENT_ACCEPTED:
                addresses[descriptor] = HandshakeMonitor.peerAddress(descriptor)
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
                failure = HandshakeMonitor.reason(protocolError: Int32(bitPattern: value))
            case ZMQ_EVENT_DISCONNECTED:
                let address = addresses.removeValue(forKey: descriptor)
                guard let reason = failure else { return }
                failure = nil
                let from = address ?? "an unknown address (it closed before its address could be read)"
                guard logged.insert(from + reason).inserted else { return }
                if logged.count > 10_000 { logged.removeAll() }
                log("refused a connection from \(from): \(reason)")
            default:
                break
            }
        }
    }

    static func reason(protocolError: Int32) -> String {
        switch protocolError {
        case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
            "it did not use CURVE (give it --curve-secret and --coordinator-key)"
        case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
            "its CURVE handshake did not decrypt (is its --coordinator-key this coordinator's public key?)"
        default:
            "its handshake broke the protocol (ZMTP error 0x\(String(UInt32(bitPattern: protocolError), radix: 16)))"
        }
    }

    /// The IP address of the peer of a connected socket, or nil once it is closed (or for `ipc://`).
    static func peerAddress(_ descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connected = withUnsafeMutableBytes(of: &storage) { raw in
            getpeername(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length) == 0
        }
        guard connected else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok: Bool
        switch Int32(storage.ss_family) {
        case AF_INET:
            var v4 = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            ok = inet_ntop(AF_INET, &v4.sin_addr, &text, socklen_t(text.count)) != nil
        case AF_INET6:
            var v6 = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            ok = inet_ntop(AF_INET6, &v6.sin6_addr, &text, socklen_t(text.count)) != nil
        default:
            ok = false
        }
        return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }
}
