import Foundation
import Wire

/// A ``WireServer`` on its own thread and context, for tests: echoes every body unless given a handler.
final class TestServer: Sendable {
    /// The resolved endpoint clients connect to.
    let endpoint: String
    private let context: ZMQContext
    private let record: Record
    private let finished: DispatchSemaphore

    /// What the server thread reports back.
    private final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var counts = (handled: 0, rejected: 0)

        func log(_ line: String) { lock.withLock { lines.append(line) } }
        func finish(handled: Int, rejected: Int) { lock.withLock { counts = (handled, rejected) } }
        var snapshot: (handled: Int, rejected: Int, log: [String]) {
            lock.withLock { (counts.handled, counts.rejected, lines) }
        }
    }

    init(
        bind: String, options: SocketOptions = SocketOptions(),
        handler: @escaping @Sendable (InboundMessage) throws -> WireMessage? = { $0.envelope.message }
    ) throws {
        let context = try ZMQContext()
        let ready = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var bound: Result<String, any Error> = .success("")
        let record = Record()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            let router: RouterEndpoint
            do {
                router = try RouterEndpoint(context: context, bind: [bind], options: options)
                bound = .success(router.endpoints[0])
                ready.signal()
            } catch {
                bound = .failure(error)
                ready.signal()
                return
            }
            let server = WireServer(router: router, log: record.log)
            try? server.run(handler: handler)
            record.finish(handled: server.handledCount, rejected: server.rejectedCount)
        }
        thread.start()
        ready.wait()
        self.context = context
        self.record = record
        self.finished = finished
        self.endpoint = try bound.get()
    }

    /// Stops the server (again is fine), removes its ipc socket file, and returns what it counted and logged.
    @discardableResult
    func stop() -> (handled: Int, rejected: Int, log: [String]) {
        context.shutdown()
        finished.wait()
        finished.signal()
        Self.removeSocketFile(endpoint)
        return record.snapshot
    }

    /// Deletes the file an `ipc://` endpoint left behind (libzmq keeps it after closing).
    static func removeSocketFile(_ endpoint: String) {
        if endpoint.hasPrefix("ipc://") {
            try? FileManager.default.removeItem(atPath: String(endpoint.dropFirst("ipc://".count)))
        }
    }

    /// A fresh ipc endpoint in the temporary directory (short enough for a Unix socket path).
    static func ipcEndpoint() -> String {
        "ipc:///tmp/de-wire-\(UUID().uuidString.prefix(8)).sock"
    }
}
