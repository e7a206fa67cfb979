import ArgumentParser
import Foundation
import Core
import Wire

/// The CLI's connection to a coordinator: one request, one reply, a short timeout, and a one-line reason when
/// the coordinator cannot be reached.
final class CoordinatorClient {
    let endpoint: String
    /// How long ``query(_:)`` keeps asking a coordinator that does not answer (zero: it asks once). A coordinator
    /// that restarts requeues its experiments and resumes them from their checkpoints, so `submit --wait` and
    /// `watch` wait for it to come back rather than tell the user the experiment is lost.
    var patience: Duration = .zero
    private let context: ZMQContext
    private let connection: DealerConnection
    private let timeout: Duration

    init(endpoint: String, timeout: Duration = .seconds(3), curve: CurveOptions? = nil) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        context = try ZMQContext()
        var options = SocketOptions()
        options.linger = .milliseconds(100)
        options.receiveTimeout = timeout
        options.sendTimeout = timeout
        options.curve = curve
        connection = try DealerConnection(context: context, connect: endpoint, options: options)
    }

    deinit {
        context.shutdown()
    }

    /// Sends `message` and returns the reply.
    /// - Throws: ``CLIError``: the coordinator's own error, or ``ExitStatus/unavailable`` when it did not answer.
    func request(_ message: WireMessage, timeout: Duration? = nil) throws -> WireMessage {
        do {
            return try connection.request(message, timeout: timeout ?? self.timeout).printable
        } catch let error as WireError {
            throw CLIError(ExitStatus(error.code), PrintableText.escaped(error.message, limit: 2000))
        } catch let error as ZMQError where error.isTimeout {
            let waited = timeout ?? self.timeout
            throw CLIError(.unavailable, "no answer from the coordinator at \(endpoint) within \(waited): is it "
                + "running? (start one with `distembed coordinator`, or pass --coordinator)")
        }
    }

    /// Sends `message`, which changes nothing on the coordinator (a status, watch or results request), again and
    /// again while the coordinator does not answer, for up to ``patience``, with pauses that double up to 5 s.
    /// Says on stderr that it is waiting, and when the coordinator is back.
    func query(_ message: WireMessage) throws -> WireMessage {
        let clock = ContinuousClock()
        var silentSince: ContinuousClock.Instant?
        var pause = Duration.milliseconds(500)
        while true {
            do {
                let reply = try request(message)
                if let silentSince {
                    let silent = seconds(clock.now - silentSince)
                    Console.info("the coordinator at \(endpoint) answers again after \(silent)")
                }
                return reply
            } catch let error as CLIError where error.status == .unavailable {
                let since = silentSince ?? clock.now - timeout
                silentSince = since
                let silent = clock.now - since
                guard silent + pause <= patience else {
                    if patience == .zero { throw error }
                    throw CLIError(.unavailable, "no answer from the coordinator at \(endpoint) for "
                        + "\(seconds(silent)); gave up (--reconnect-timeout \(seconds(patience))). It keeps what "
                        + "was submitted: `distembed watch ID` follows it again once the coordinator is back")
                }
                Console.info("no answer from the coordinator at \(endpoint) for \(seconds(silent)); retrying in "
                    + "\(seconds(pause)) (giving up after \(seconds(patience)), --reconnect-timeout)")
                Thread.sleep(forTimeInterval: pause.seconds)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    /// `0.5 s`, `12 s`.
    private func seconds(_ d: Duration) -> String {
        String(format: d < .seconds(10) ? "%.1g s" : "%.0f s", d.seconds)
    }
}

/// A user-facing failure: one line on stderr and an exit status that says what kind of failure it is.
struct CLIError: Error, CustomStringConvertible {
    var status: ExitStatus
    var description: String

    init(_ status: ExitStatus, _ description: String) {
        self.status = status
        self.description = description
    }

    /// The coordinator answered with another message than the request's reply.
    static func unexpectedReply(to request: String) -> CLIError {
        CLIError(.internalError, "the coordinator answered a \(request) request with another kind of reply; are the "
            + "coordinator and this CLI the same DistEmbed release?")
    }
}

/// `--coordinator ENDPOINT` for the client commands.
struct CoordinatorEndpointOption: ParsableArguments {
    @Option(help: "The coordinator's endpoint.")
    var coordinator = "tcp://127.0.0.1:5555"

    @OptionGroup(title: "Security") var security: ClientSecurityOptions

    func client() throws -> CoordinatorClient {
        try CoordinatorClient(endpoint: coordinator, curve: security.curve())
    }
}

/// `--reconnect-timeout SECONDS` for the commands that follow an experiment to its end.
struct ReconnectOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "While the coordinator does not answer (e.g. it restarts), keep asking for this many seconds before giving "
            + "up.", valueName: "seconds"))
    var reconnectTimeout: Double = 120

    func validate() throws {
        guard reconnectTimeout >= 0, reconnectTimeout.isFinite else {
            throw ValidationError("--reconnect-timeout must be 0 or more seconds, got \(reconnectTimeout)")
        }
    }

    var patience: Duration { .milliseconds(Int64(reconnectTimeout * 1000)) }
}
