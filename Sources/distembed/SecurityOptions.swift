import ArgumentParser
import Coordinator
import Foundation
import Wire

/// The coordinator's security and limit options: CURVE server keys, the authorized keys, `--insecure`, the
/// message size limit and the folders specs may read data from.
struct CoordinatorSecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The coordinator's CURVE secret key (from `distembed keygen`); turns CURVE on.",
                               valueName: "file"))
    var curveSecret: String?

    @Option(help: ArgumentHelp("Folder of the public keys of the workers and clients to admit (one per file).",
                               valueName: "folder"))
    var authorized: String?

    @Flag(help: "Allow listening on non-loopback endpoints without CURVE (anyone who can connect is trusted).")
    var insecure = false

    @Option(help: "Largest message accepted or sent, in bytes.")
    var maxMessageSize = Wire.defaultMaxMessageSize

    @Option(help: ArgumentHelp("A folder a spec's dataset.path may point into (repeatable; default "
                               + DataPathPolicy.defaultDirectories.joined(separator: " and ") + ").",
                               valueName: "folder"))
    var dataDir: [String] = []

    func validate() throws {
        guard maxMessageSize >= 1 << 20 else {
            throw ValidationError("--max-message-size must be at least 1 MiB (1048576); the weights of the "
                + "exercise's model alone are about 300 KB")
        }
    }

    /// Sets the security fields of `options`.
    /// - Throws: a one-line error naming the key file or folder that cannot be used.
    func apply(to options: inout CoordinatorOptions) throws {
        if let curveSecret {
            options.curve = .server(try CurveKeys.readSecret(file: curveSecret))
        }
        options.authorizedKeysFolder = authorized
        options.insecure = insecure
        options.maxMessageSize = maxMessageSize
        if !dataDir.isEmpty { options.dataDirectories = dataDir }
    }
}

/// A worker's or client's CURVE options: its own secret key and the coordinator's public key.
struct ClientSecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This process's CURVE secret key (from `distembed keygen`); needs --coordinator-key.",
                               valueName: "file"))
    var curveSecret: String?

    @Option(help: ArgumentHelp("The coordinator's CURVE public key (its public.key).", valueName: "file"))
    var coordinatorKey: String?

    func validate() throws {
        if (curveSecret == nil) != (coordinatorKey == nil) {
            throw ValidationError("--curve-secret and --coordinator-key go together: this process's secret key and "
                + "the coordinator's public key (make keys with `distembed keygen --out DIR`)")
        }
    }

    /// The client-side CURVE options, or nil without keys.
    /// - Throws: a one-line error naming the key file that cannot be used.
    func curve() throws -> CurveOptions? {
        guard let curveSecret, let coordinatorKey else { return nil }
        return .client(try CurveKeys.readSecret(file: curveSecret), serverKey: try CurveKeys.readKey(file: coordinatorKey))
    }
}
