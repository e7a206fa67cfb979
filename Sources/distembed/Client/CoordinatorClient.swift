import ArgumentParser
import Foundation
import Core
import Wire

/// The CLI's connection to a coordinator: one request, one reply, a short timeout, and a one-line reason when
/// the coordinator cannot be reached.
final class CoordinatorClient {
    let endpoint: String
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
    /// - Throws: `ValidationError`-style one-line errors: unreachable coordinator, or the coordinator's own error.
    func request(_ message: WireMessage, timeout: Duration? = nil) throws -> WireMessage {
        do {
            return try connection.request(message, timeout: timeout ?? self.timeout).printable
        } catch let error as WireError {
            throw CLIError(PrintableText.escaped(error.message, limit: 2000))
        } catch let error as ZMQError where error.isTimeout {
            let waited = timeout ?? self.timeout
            throw CLIError("no answer from the coordinator at \(endpoint) within \(waited): is it running? "
                + "(start one with `distembed coordinator`, or pass --coordinator)")
        }
    }
}

/// A user-facing failure: printed as one line on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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
