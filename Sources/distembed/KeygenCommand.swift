import ArgumentParser
import Foundation
import Wire

/// `distembed keygen --out DIR`: a CURVE key pair, `DIR/public.key` and the owner-only `DIR/secret.key`.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a CURVE key pair: DIR/public.key (share it) and DIR/secret.key (mode 0600, keep it).")

    @Option(help: ArgumentHelp("The folder to write the keys into (created 0700 when missing).", valueName: "dir"))
    var out: String

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        let pair = try CurveKeys.generate()
        do {
            try CurveKeys.write(pair, to: out)
        } catch {
            throw CLIError(.ioError, "cannot write the keys: \(error)")
        }
        let publicPath = (out as NSString).appendingPathComponent("public.key")
        let secretPath = (out as NSString).appendingPathComponent("secret.key")
        if json {
            let object = ["publicKey": pair.publicKey, "publicKeyFile": publicPath, "secretKeyFile": secretPath]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("public key \(pair.publicKey)")
            print("wrote \(publicPath) (share it) and \(secretPath) (mode 0600, keep it secret)")
        }
    }
}
