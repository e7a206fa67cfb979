import Coordinator
import Foundation
import Logging
import Synchronization
import Testing

/// The metrics endpoint under the attacks of issue 21, served in-process: a 1 MB URL, a 1 MB header, clients
/// sending a byte a second, and more connections than the cap held open. During each, `/healthz` on a fresh
/// connection answers 200, and the attacker gets an error status or a closed connection. (How fast `/healthz`
/// answers meanwhile is measured by `scripts/http-attack-bench.py`, not asserted here.)
@Suite(.serialized) struct MetricsAttackTests {
    /// ``MetricsHTTPLimits/connections``.
    static let connectionLimit = 64

    let telemetry: CoordinatorTelemetry
    let port: UInt16

    init() throws {
        telemetry = try CoordinatorTelemetry(listen: "127.0.0.1:0", logger: Logger(label: "metrics-attack-test"))
        port = try #require(telemetry.boundAddress.split(separator: ":").last.flatMap { UInt16($0) })
    }

    @Test func aOneMegabyteURLIsRefusedWhileHealthzAnswers() throws {
        let request = "GET /" + String(repeating: "a", count: 1 << 20) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        let outcomes = try probingHealthz(during: { [port] in Attack.send(request, to: port) })
        #expect(!outcomes.isEmpty)
        for outcome in outcomes {
            #expect(outcome == .status(431) || outcome == .closed, "the attacker got \(outcome)")
        }
    }

    @Test func aOneMegabyteHeaderIsRefusedWhileHealthzAnswers() throws {
        let request = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 1 << 20)
            + "\r\n\r\n"
        let outcomes = try probingHealthz(during: { [port] in Attack.send(request, to: port) })
        #expect(!outcomes.isEmpty)
        for outcome in outcomes {
            #expect(outcome == .status(431) || outcome == .closed, "the attacker got \(outcome)")
        }
    }

    /// 100 connections (more than the cap) each send a request a byte a second: the server closes every one of
    /// them, by age or by its timeout, long before the 12 s the attacker keeps at it.
    @Test func clientsSendingAByteASecondAreClosedWhileHealthzAnswers() throws {
        let attackers = try (0..<100).map { _ in try RawSocket(port: port) }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8)
        let done = Attack.Flag()
        Thread.detachNewThread {
            for second in 0..<12 where attackers.contains(where: { !$0.closedByPeer() }) {
                for socket in attackers where !socket.closedByPeer() {
                    _ = socket.sendAll(request[second...second])
                }
                Thread.sleep(forTimeInterval: 1)
            }
            done.set()
        }
        var probes = 0
        while !done.isSet, probes < 200 {
            let status = try RawSocket.get(port: port, path: "/healthz").status
            #expect(status == 200)
            if status != 200 { break }
            probes += 1
            Thread.sleep(forTimeInterval: 0.05)
        }
        while !done.isSet { Thread.sleep(forTimeInterval: 0.05) }
        #expect(probes > 0)
        let open = attackers.filter { !$0.closedByPeer() }.count
        #expect(open == 0, "\(open) of 100 connections sending a byte a second were still open after 12 s")
    }

    /// 200 silent connections: all but the newest 64 are closed at once, and each probe still gets in.
    @Test func connectionsPastTheCapAreClosedWhileHealthzAnswers() throws {
        let attackers = try (0..<200).map { _ in try RawSocket(port: port) }
        let deadline = Date().addingTimeInterval(2)
        while attackers.filter({ !$0.closedByPeer() }).count > Self.connectionLimit, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let open = attackers.filter { !$0.closedByPeer() }.count
        #expect(open <= Self.connectionLimit, "\(open) of 200 idle connections are open; the cap is 64")
        for _ in 0..<20 {
            let status = try RawSocket.get(port: port, path: "/healthz").status
            #expect(status == 200)
            if status != 200 { break }
        }
    }

    @Test func aLargeBodyIsRefused() throws {
        let request = "POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n"
            + String(repeating: "a", count: 1 << 20)
        let outcome = Attack.send(request, to: port)
        #expect(outcome == .status(413) || outcome == .closed, "the attacker got \(outcome)")
        #expect(try RawSocket.get(port: port, path: "/healthz").status == 200)
    }

    /// Within the limits nothing changes: an 8 KiB header, two requests on one connection, the paths' answers.
    @Test func requestsWithinTheLimitsAreServed() throws {
        let padding = "X-Pad: " + String(repeating: "a", count: 8192) + "\r\n"
        let big = try RawSocket.get(port: port, path: "/healthz", headers: padding)
        #expect(big.status == 200)
        #expect(big.body == "starting\n")

        let socket = try RawSocket(port: port)
        for path in ["/metrics", "/readyz"] {
            #expect(socket.sendAll(Array("GET \(path) HTTP/1.1\r\nHost: a\r\n\r\n".utf8)))
            let answer = try #require(socket.readAnswer(), "no answer to \(path) on a kept-alive connection")
            #expect(answer.status == (path == "/metrics" ? 200 : 503), "\(path): \(answer)")
        }

        let unknown = try RawSocket.get(port: port, path: "/nothing?x=1")
        #expect(unknown.status == 404)
        #expect(unknown.body == "no such path: /nothing; try /metrics, /healthz or /readyz\n")
        let refused = try RawSocket.get(port: port, path: "/" + String(repeating: "a", count: 20000))
        #expect(refused.status == 431)
        #expect(refused.body.contains("over 16384 bytes"), "\(refused.body)")
    }

    /// Runs `attack` over and over on two threads of their own (each at least once) and, once both have begun,
    /// asks `/healthz` 20 times on fresh connections, each of which must answer 200; returns what the attacks got.
    private func probingHealthz(during attack: @escaping @Sendable () -> Attack.Outcome) throws -> [Attack.Outcome] {
        let stop = Attack.Flag()
        let outcomes = Mutex<[Attack.Outcome]>([])
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for _ in 0..<2 {
            finished.enter()
            Thread.detachNewThread {
                started.signal()
                repeat {
                    let outcome = attack()
                    outcomes.withLock { $0.append(outcome) }
                } while !stop.isSet
                finished.leave()
            }
        }
        started.wait()
        started.wait()
        let probed = Result {
            for _ in 0..<20 {
                let status = try RawSocket.get(port: port, path: "/healthz").status
                #expect(status == 200)
                if status != 200 { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        stop.set()
        finished.wait()
        try probed.get()
        return outcomes.withLock { $0 }
    }
}

/// One attacking request and what came of it.
enum Attack {
    enum Outcome: Equatable {
        /// The server answered with this status.
        case status(Int)
        /// The server closed the connection without an answer.
        case closed
        /// No answer within the socket's timeout: the server is still busy with the request, or stuck.
        case noAnswer
    }

    /// A flag one thread sets and others read.
    final class Flag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    /// Sends `request` on a fresh connection (the server may close it midway) and reads the answer.
    static func send(_ request: String, to port: UInt16) -> Outcome {
        guard let socket = try? RawSocket(port: port) else { return .closed }
        _ = socket.sendAll(Array(request.utf8))
        switch socket.readAnswer() {
        case let answer?: return .status(answer.status)
        case nil: return socket.timedOut ? .noAnswer : .closed
        }
    }
}

/// A blocking loopback TCP client with 10 s timeouts, for requests the usual clients will not send.
final class RawSocket: Sendable {
    struct Answer {
        var status: Int
        var body: String
    }

    let fd: Int32
    private let readTimedOut = Atomic(false)

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw RawSocketError("connect to 127.0.0.1:\(port): \(message)")
        }
    }

    deinit {
        close(fd)
    }

    /// Whether a read timed out: the server kept the connection open without answering.
    var timedOut: Bool { readTimedOut.load(ordering: .relaxed) }

    /// GET `path` on a fresh connection (`Connection: close`) with extra `headers` (lines ending in CRLF).
    static func get(port: UInt16, path: String, headers: String = "") throws -> Answer {
        let socket = try RawSocket(port: port)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(headers)\r\n"
        guard socket.sendAll(Array(request.utf8)), let answer = socket.readAnswer() else {
            throw RawSocketError("no answer to GET \(path) from 127.0.0.1:\(port)"
                + (socket.timedOut ? " within 10 s" : ": the server closed the connection"))
        }
        return answer
    }

    /// Sends all of `bytes`. Returns false when the connection failed (the server closed it, say).
    func sendAll(_ bytes: some Collection<UInt8>) -> Bool {
        Array(bytes).withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Reads one answer with a `Content-Length` body; nil when the connection closed or timed out first.
    func readAnswer() -> Answer? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if let split = text.range(of: "\r\n\r\n") {
                let head = text[..<split.lowerBound].lowercased()
                let length = head.firstMatch(of: /content-length: *([0-9]+)/).flatMap { Int($0.1) } ?? 0
                let body = text[split.upperBound...]
                if body.utf8.count >= length {
                    let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                    return Answer(status: status, body: String(decoding: body.utf8.prefix(length), as: UTF8.self))
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { readTimedOut.store(true, ordering: .relaxed) }
            if n <= 0 { return nil }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Whether the server has closed the connection (an end of file or a reset is waiting), without blocking.
    func closedByPeer() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
