import Foundation
import Synchronization
import Testing
import Wire

/// CURVE keys, the ZAP handler and encrypted, authenticated ROUTER/DEALER traffic, in one process.
@Suite(.serialized) struct CurveTests {
    /// A temporary folder removed at the end.
    final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("de-curve-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String) -> String { path + "/" + name }
    }

    /// Log lines collected from the ZAP thread.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A counter shared with the server thread.
    final class Count: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .sequentiallyConsistent) }
        var current: Int { value.load(ordering: .sequentiallyConsistent) }
    }

    /// An echo server with CURVE and a ZAP handler on one context, served from its own thread.
    final class SecureServer: Sendable {
        let endpoint: String
        let zap: ZAPHandler
        let lines = Lines()
        let handled = Count()
        private let context: ZMQContext
        private let finished = DispatchSemaphore(value: 0)

        /// The key each handled message's sender was admitted with.
        let senders = Lines()

        /// A server admitting the keys in the folder `authorized`, or else every CURVE client.
        init(keys: CurveKeyPair, authorized: String? = nil) throws {
            let context = try ZMQContext()
            let lines = self.lines
            if let authorized {
                zap = try ZAPHandler(context: context, authorizedFolder: authorized) { lines.append($0) }
            } else {
                zap = try ZAPHandler(admittingEveryCurveClientOf: context) { lines.append($0) }
            }
            var options = SocketOptions()
            options.curve = .server(keys)
            nonisolated(unsafe) let router = try RouterEndpoint(context: context, bind: ["tcp://127.0.0.1:*"],
                                                                options: options)
            endpoint = router.endpoints[0]
            self.context = context
            let finished = self.finished
            let handled = self.handled
            let senders = self.senders
            Thread {
                defer { finished.signal() }
                let server = WireServer(router: router) { _ in }
                try? server.run { message in
                    handled.add()
                    senders.append(message.senderKey ?? "none")
                    return message.envelope.message
                }
            }.start()
        }

        func stop() {
            context.shutdown()
            finished.wait()
            finished.signal()
        }
    }

    @Test func keysAreGeneratedValidatedAndDerived() throws {
        let pair = try CurveKeys.generate()
        #expect(pair.publicKey.utf8.count == 40 && pair.secretKey.utf8.count == 40)
        #expect(CurveKeys.isValid(pair.publicKey) && CurveKeys.isValid(pair.secretKey))
        #expect(CurveKeys.publicKey(forSecret: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeys.generate() != pair)
        for bad in ["", "short", String(pair.publicKey.dropLast()), pair.publicKey + "x",
                    String(pair.publicKey.dropLast()) + "\"", String(repeating: "é", count: 20)] {
            #expect(!CurveKeys.isValid(bad), "\(bad)")
            #expect(CurveKeys.publicKey(forSecret: bad) == nil)
        }
    }

    @Test func keyFilesAreWrittenOwnerOnlyAndReadBack() throws {
        let folder = try Folder()
        let pair = try CurveKeys.generate()
        try CurveKeys.write(pair, to: folder.file("keys"))
        let fm = FileManager.default
        #expect(try fm.attributesOfItem(atPath: folder.file("keys/secret.key"))[.posixPermissions] as? Int == 0o600)
        #expect(try fm.attributesOfItem(atPath: folder.file("keys/public.key"))[.posixPermissions] as? Int == 0o644)
        #expect(try fm.attributesOfItem(atPath: folder.file("keys"))[.posixPermissions] as? Int == 0o700)
        #expect(try String(contentsOfFile: folder.file("keys/public.key"), encoding: .utf8) == pair.publicKey + "\n")
        #expect(try CurveKeys.readSecret(file: folder.file("keys/secret.key")) == pair)
        #expect(try CurveKeys.readKey(file: folder.file("keys/public.key")) == pair.publicKey)
        // Never overwritten.
        #expect(throws: CurveKeyError.self) { try CurveKeys.write(CurveKeys.generate(), to: folder.file("keys")) }
        #expect(try CurveKeys.readSecret(file: folder.file("keys/secret.key")) == pair)
        // A secret readable by others is refused, naming the file and the fix.
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.file("keys/secret.key"))
        let error = try #require(throws: CurveKeyError.self) {
            try CurveKeys.readSecret(file: folder.file("keys/secret.key"))
        }
        #expect(error.path == folder.file("keys/secret.key") && error.message.contains("chmod 600"))
    }

    @Test func badKeyFilesAndFoldersAreNamedInTheError() throws {
        let folder = try Folder()
        try "not a key\n".write(toFile: folder.file("junk.key"), atomically: true, encoding: .utf8)
        let junk = try #require(throws: CurveKeyError.self) { try CurveKeys.readKey(file: folder.file("junk.key")) }
        #expect(junk.description.hasPrefix(folder.file("junk.key") + ": ") && junk.message.contains("Z85"))
        let missing = try #require(throws: CurveKeyError.self) { try CurveKeys.readKey(file: folder.file("none")) }
        #expect(missing.path == folder.file("none") && missing.message.contains("distembed keygen"))
        // An authorized folder: a bad file is named; an empty one or one holding a secret key is refused.
        let authorized = folder.file("authorized")
        try FileManager.default.createDirectory(atPath: authorized, withIntermediateDirectories: true)
        #expect(throws: CurveKeyError.self) { try CurveKeys.readAuthorized(folder: authorized) }
        let pair = try CurveKeys.generate()
        try (pair.publicKey + "\n").write(toFile: authorized + "/w1.key", atomically: true, encoding: .utf8)
        try "hidden junk".write(toFile: authorized + "/.hidden", atomically: true, encoding: .utf8)
        #expect(try CurveKeys.readAuthorized(folder: authorized) == [pair.publicKey])
        try "junk".write(toFile: authorized + "/w2.key", atomically: true, encoding: .utf8)
        let bad = try #require(throws: CurveKeyError.self) { try CurveKeys.readAuthorized(folder: authorized) }
        #expect(bad.path == authorized + "/w2.key")
    }

    @Test func onlyAuthorizedClientsGetThroughAndRefusalsAreLoggedOnce() throws {
        let folder = try Folder()
        let server = try CurveKeys.generate()
        let good = try CurveKeys.generate()
        let stranger = try CurveKeys.generate()
        let authorized = folder.file("authorized")
        try FileManager.default.createDirectory(atPath: authorized, withIntermediateDirectories: true)
        try (good.publicKey + "\n").write(toFile: authorized + "/good.key", atomically: true, encoding: .utf8)
        let secure = try SecureServer(keys: server, authorized: authorized)
        defer { secure.stop() }
        let context = try ZMQContext()

        var options = SocketOptions()
        options.curve = .client(good, serverKey: server.publicKey)
        let client = try DealerConnection(context: context, connect: secure.endpoint, options: options)
        let message = WireMessage.statusRequest(ExperimentRequest(experimentId: "x"))
        #expect(try client.request(message, timeout: .seconds(10)) == message)
        let gradient = WireMessage.gradient(Tensor((0..<72_842).map { Float($0) }))
        #expect(try client.request(gradient, timeout: .seconds(10)) == gradient)

        // A stranger (unknown key), a client with a wrong server key and a plain client get nothing through.
        var strangerOptions = SocketOptions()
        strangerOptions.curve = .client(stranger, serverKey: server.publicKey)
        var wrongServer = SocketOptions()
        wrongServer.curve = .client(good, serverKey: stranger.publicKey)
        for options in [strangerOptions, wrongServer, SocketOptions()] {
            let refused = try DealerConnection(context: context, connect: secure.endpoint, options: options)
            #expect(throws: ZMQError.self) { try refused.request(message, timeout: .milliseconds(1500)) }
        }
        #expect(secure.handled.current == 2)
        let counts = secure.zap.counts
        #expect(counts.admitted == 1)
        // Refused at ZAP (libzmq may retry the handshake on reconnect; each refusal is logged once).
        #expect(counts.refused >= 1)
        let refusals = secure.lines.all.filter { $0.contains(stranger.publicKey) }
        #expect(refusals.count == 1)
        #expect(refusals.first?.contains("refused a connection from 127.0.0.1") == true)

        // Keys are re-read at each handshake: authorizing the stranger lets its next connection in.
        try (stranger.publicKey + "\n").write(toFile: authorized + "/stranger.key", atomically: true, encoding: .utf8)
        let admitted = try DealerConnection(context: context, connect: secure.endpoint, options: strangerOptions)
        #expect(try admitted.request(message, timeout: .seconds(10)) == message)
    }

    /// A worker's peer inbox admits every CURVE client and learns who sent each message: the key CURVE proved.
    @Test func everyCurveClientIsAdmittedAndNamedByItsKey() throws {
        let server = try CurveKeys.generate()
        let secure = try SecureServer(keys: server)
        defer { secure.stop() }
        let context = try ZMQContext()
        let message = WireMessage.statusRequest(ExperimentRequest(experimentId: "x"))
        let clients = try (0..<2).map { _ in try CurveKeys.generate() }
        for keys in clients {
            var options = SocketOptions()
            options.curve = .client(keys, serverKey: server.publicKey)
            let client = try DealerConnection(context: context, connect: secure.endpoint, options: options)
            #expect(try client.request(message, timeout: .seconds(10)) == message)
        }
        #expect(secure.senders.all == clients.map(\.publicKey))
        // Without CURVE, nothing gets through.
        let plain = try DealerConnection(context: context, connect: secure.endpoint, options: SocketOptions())
        #expect(throws: ZMQError.self) { try plain.request(message, timeout: .milliseconds(1500)) }
        #expect(secure.handled.current == 2)
    }

    @Test func aServerWithoutAuthorizedKeysDoesNotStart() throws {
        let folder = try Folder()
        let context = try ZMQContext()
        #expect(throws: CurveKeyError.self) {
            try ZAPHandler(context: context, authorizedFolder: folder.file("missing")) { _ in }
        }
        #expect(throws: CurveKeyError.self) {
            try ZAPHandler(context: context, authorizedFolder: folder.path) { _ in }
        }
    }
}
