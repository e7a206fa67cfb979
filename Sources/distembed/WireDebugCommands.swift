import ArgumentParser
import Core
import Dispatch
import Foundation
import Wire

/// `distembed debug wire-echo`: a server that answers every message with the same body.
struct WireEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire-echo",
        abstract: "Answer every wire message with its own body; bad input gets a typed error.",
        discussion: "Prints 'listening ENDPOINT' on stdout once bound. Stops on SIGINT, SIGTERM or --max-seconds.")

    @Option(help: "Endpoint to bind: tcp://HOST:PORT (port * picks one) or ipc:///PATH.")
    var listen = "tcp://127.0.0.1:*"

    @Option(help: "Stop after this many seconds; 0 runs until SIGINT or SIGTERM.")
    var maxSeconds: Double = 0

    @Option(help: "Largest message accepted, in bytes.")
    var maxMessageSize = Wire.defaultMaxMessageSize

    func run() throws {
        MemoryTuning.keepLargeBuffersInHeap()
        let context = try ZMQContext()
        let signals = stopOnSignals(context)
        defer { signals.forEach { $0.cancel() } }
        var options = SocketOptions()
        options.maxMessageSize = maxMessageSize
        let router = try RouterEndpoint(context: context, bind: [listen], options: options)
        print("listening \(router.endpoints[0])")
        fflush(nil)
        let server = WireServer(router: router)
        let deadline = maxSeconds > 0 ? ContinuousClock.now + .seconds(maxSeconds) : nil
        try server.run(until: { deadline.map { ContinuousClock.now >= $0 } ?? false }) { $0.envelope.message }
        WireServer.logToStandardError("wire-echo: answered \(server.handledCount), rejected \(server.rejectedCount)")
    }

    /// SIGINT and SIGTERM shut the context down, which ends the server loop at once.
    private func stopOnSignals(_ context: ZMQContext) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { context.shutdown() }
            source.resume()
            return source
        }
    }
}

/// `distembed debug wire-bench`: checks an echo server returns every message type unchanged, then measures
/// round trips of a small request and of a model-sized gradient: the `WorkResult` a worker without shared memory
/// sends each step.
struct WireBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire-bench",
        abstract: "Verify and time round trips through a 'debug wire-echo' server.")

    @Option(help: "The echo server's endpoint.")
    var connect: String

    @Option(help: "Timed round trips of each kind.")
    var count = 1000

    @Option(help: "Untimed round trips of each kind first.")
    var warmup = 100

    @Option(help: "Floats in the gradient message (the exercise's model has 72,842).")
    var floats = 72_842

    @Flag(help: "End with one JSON object on stdout.")
    var json = false

    func validate() throws {
        guard count > 0, warmup >= 0, floats >= 0 else {
            throw ValidationError("--count must be positive; --warmup and --floats must not be negative")
        }
    }

    func run() throws {
        MemoryTuning.keepLargeBuffersInHeap()
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: connect)
        let verified = try verifyEchoes(connection)
        let small = WireMessage.heartbeat(Heartbeat(sentAtNanos: 1))
        let gradient = WireMessage.workResult(
            WorkResult(
                experimentId: "bench", epoch: 0, step: 0, weightsVersion: 1,
                subtrees: [Subtree(level: 0, index: 0, gradient: Tensor((0..<floats).map { Float($0) * 0.001 - 36 }))],
                lossSum: 1, correctCount: 1, sampleCount: 1, computeSeconds: 0))
        let results = [
            try measure("small", small, connection),
            try measure("gradient", gradient, connection),
        ]
        print("\(connect): \(verified) message types echoed unchanged")
        for result in results {
            print(result.line)
        }
        if json {
            var object: [String: Any] = ["endpoint": connect, "messageTypesVerified": verified]
            for result in results {
                object[result.name] = result.json
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// Sends every example message and checks each comes back identical; returns how many were checked.
    private func verifyEchoes(_ connection: DealerConnection) throws -> Int {
        for example in WireMessage.examples {
            let id = try connection.send(example)
            guard let reply = try connection.receive(timeout: .seconds(10)) else {
                throw CLIError(
                    .unavailable, "no echo of \(example.name) from \(connect) within 10 s; is wire-echo running?")
            }
            guard reply.requestId == id, reply.message == example else {
                throw CLIError(.internalError, "the echo of \(example.name) differs from what was sent")
            }
        }
        return WireMessage.examples.count
    }

    private func measure(_ name: String, _ message: WireMessage, _ connection: DealerConnection) throws -> Timing {
        let clock = ContinuousClock()
        var microseconds: [Double] = []
        microseconds.reserveCapacity(count)
        for iteration in 0..<(warmup + count) {
            let start = clock.now
            let reply = try connection.request(message, timeout: .seconds(10))
            let elapsed = clock.now - start
            guard reply == message else {
                throw CLIError(.internalError, "the echo of \(name) differs from what was sent")
            }
            if iteration >= warmup {
                microseconds.append(elapsed / .microseconds(1))
            }
        }
        let bytes = Codec().encode(Envelope(requestId: 1, message: message)).count
        return Timing(name: name, bytes: bytes, microseconds: microseconds.sorted())
    }
}

/// Round-trip times of one message kind, sorted.
private struct Timing {
    let name: String
    let bytes: Int
    let microseconds: [Double]

    /// The nearest-rank percentile `p` (0...100).
    func percentile(_ p: Double) -> Double {
        let rank = Int((p / 100 * Double(microseconds.count)).rounded(.up))
        return microseconds[min(max(rank, 1), microseconds.count) - 1]
    }

    var line: String {
        let p50 = String(format: "%.1f", percentile(50))
        let p99 = String(format: "%.1f", percentile(99))
        return "\(name) (\(bytes) bytes): p50 \(p50) µs, p99 \(p99) µs over \(microseconds.count) round trips"
    }

    var json: [String: Any] {
        ["bytes": bytes, "count": microseconds.count, "p50Us": percentile(50), "p99Us": percentile(99)]
    }
}
