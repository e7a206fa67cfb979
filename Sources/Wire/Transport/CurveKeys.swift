import CZeroMQ
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CURVE key pair in Z85 text (40 characters each), as `zmq_curve_keypair` makes them.
public struct CurveKeyPair: Hashable, Sendable {
    /// The public key: give it to peers (a coordinator's goes to `--coordinator-key`, a client's to `--authorized`).
    public let publicKey: String
    /// The secret key: never leaves its host; stored owner-only.
    public let secretKey: String

    /// Wraps two Z85 keys (not checked: use ``CurveKeys`` to load or make keys).
    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// A key file that could not be used, with the file named and what to do.
public struct CurveKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or folder at fault.
    public var path: String
    /// What is wrong with it.
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(path): \(message)"
    }
}

/// Making, checking, reading and writing CURVE keys (Z85 text files of one key each, as `distembed keygen`
/// writes them: `public.key` and the owner-only `secret.key`).
public enum CurveKeys {
    /// The length of a Z85-encoded 32-byte key.
    public static let z85Length = 40
    static let binaryLength = 32
    private static let z85Alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// A fresh key pair from libsodium (`zmq_curve_keypair`).
    ///
    /// - Throws: ``ZMQError`` (`ENOTSUP`) when libzmq was built without CURVE.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: z85Length + 1)
        var secretKey = [CChar](repeating: 0, count: z85Length + 1)
        try ZMQError.check("zmq_curve_keypair (is libzmq built with libsodium?)") {
            zmq_curve_keypair(&publicKey, &secretKey)
        }
        return CurveKeyPair(publicKey: text(publicKey), secretKey: text(secretKey))
    }

    /// The public key that belongs to `secretKey` (`zmq_curve_public`); nil when `secretKey` is not a Z85 key.
    public static func publicKey(forSecret secretKey: String) -> String? {
        guard isValid(secretKey) else { return nil }
        var publicKey = [CChar](repeating: 0, count: z85Length + 1)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { return nil }
        return text(publicKey)
    }

    /// True when `key` is 40 characters of the Z85 alphabet that decode to 32 bytes.
    public static func isValid(_ key: String) -> Bool {
        binary(key) != nil
    }

    /// The 32 bytes a Z85 key stands for; nil when `key` is not one.
    static func binary(_ key: String) -> [UInt8]? {
        let utf8 = Array(key.utf8)
        guard utf8.count == z85Length, utf8.allSatisfy({ z85Alphabet.contains($0) }) else { return nil }
        var bytes = [UInt8](repeating: 0, count: binaryLength)
        let decoded = bytes.withUnsafeMutableBufferPointer { out in
            key.withCString { zmq_z85_decode(out.baseAddress, $0) }
        }
        return decoded == nil ? nil : bytes
    }

    /// The Z85 text of 32 key bytes (a ZAP request's credentials).
    static func z85(_ bytes: [UInt8]) -> String? {
        guard bytes.count == binaryLength else { return nil }
        var out = [CChar](repeating: 0, count: z85Length + 1)
        guard bytes.withUnsafeBufferPointer({ zmq_z85_encode(&out, $0.baseAddress, $0.count) }) != nil else {
            return nil
        }
        return text(out)
    }

    /// Reads a file holding one Z85 key (surrounding whitespace ignored).
    ///
    /// - Throws: ``CurveKeyError`` naming the file when it cannot be read or holds no valid key.
    public static func readKey(file path: String) throws(CurveKeyError) -> String {
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CurveKeyError(path: path, "cannot read the key file (\(reason(error))); "
                + "make keys with `distembed keygen --out DIR`")
        }
        let key = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard isValid(key) else {
            throw CurveKeyError(path: path, "not a CURVE key: expected one 40-character Z85 key "
                + "as `distembed keygen` writes, found \(contents.utf8.count) bytes")
        }
        return key
    }

    /// Reads a secret key file and derives its public key. The file must be owner-only (like ssh keys).
    ///
    /// - Throws: ``CurveKeyError`` naming the file when it is unreadable, not a key, or readable by others.
    public static func readSecret(file path: String) throws(CurveKeyError) -> CurveKeyPair {
        if let mode = try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int,
            mode & 0o077 != 0
        {
            throw CurveKeyError(path: path, "the secret key is readable by other users (mode "
                + String(mode & 0o777, radix: 8) + "); run `chmod 600 \(path)`")
        }
        let secret = try readKey(file: path)
        guard let publicKey = publicKey(forSecret: secret) else {
            throw CurveKeyError(path: path, "cannot derive the public key from this secret key")
        }
        return CurveKeyPair(publicKey: publicKey, secretKey: secret)
    }

    /// The public keys of a folder of key files (one key per file; hidden files are skipped).
    ///
    /// - Throws: ``CurveKeyError`` naming the folder when it cannot be listed or holds no key, or the file that
    ///   holds no valid key, or a `secret.key` found there (authorize public keys only).
    public static func readAuthorized(folder: String) throws(CurveKeyError) -> Set<String> {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CurveKeyError(path: folder, "cannot list the authorized keys folder (\(reason(error)))")
        }
        var keys: Set<String> = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            if name == "secret.key" {
                throw CurveKeyError(path: path, "a secret key in the authorized keys folder; put only the public "
                    + "keys of workers and clients there")
            }
            keys.insert(try readKey(file: path))
        }
        guard !keys.isEmpty else {
            throw CurveKeyError(path: folder, "no public keys in the authorized keys folder; copy each worker's and "
                + "client's public.key there (under any name)")
        }
        return keys
    }

    /// Writes `pair` as `folder/public.key` (mode 0644) and `folder/secret.key` (mode 0600), each one key and a
    /// newline; creates `folder` (0700) when missing.
    ///
    /// - Throws: ``CurveKeyError`` when either file already exists (keys are never overwritten) or cannot be
    ///   written.
    public static func write(_ pair: CurveKeyPair, to folder: String) throws(CurveKeyError) {
        let fm = FileManager.default
        let publicPath = (folder as NSString).appendingPathComponent("public.key")
        let secretPath = (folder as NSString).appendingPathComponent("secret.key")
        for path in [publicPath, secretPath] where fm.fileExists(atPath: path) {
            throw CurveKeyError(path: path, "already exists; keys are never overwritten (remove it, or choose "
                + "another --out folder)")
        }
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        } catch {
            throw CurveKeyError(path: folder, "cannot create the folder (\(reason(error)))")
        }
        // Created with O_EXCL and its final mode: the secret is never readable by others, not even briefly.
        try create(secretPath, contents: pair.secretKey + "\n", mode: 0o600)
        try create(publicPath, contents: pair.publicKey + "\n", mode: 0o644)
    }

    private static func create(_ path: String, contents: String, mode: mode_t) throws(CurveKeyError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw CurveKeyError(path: path, "cannot create the file (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        // The umask may have narrowed the mode, never widened it; set it exactly.
        _ = fchmod(fd, mode)
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard written == bytes.count else {
            throw CurveKeyError(path: path, "cannot write the file (\(String(cString: strerror(errno))))")
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// `write(2)` of a whole buffer (outside ``CurveKeys``, whose own `write` would shadow it).
private func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
    write(fd, buffer.baseAddress, buffer.count)
}
