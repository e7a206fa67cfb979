/// Where a coordinator may listen without CURVE: safe by default.
///
/// Without keys anyone who can reach the port can submit experiments, read results and pose as a worker, so a
/// coordinator without CURVE binds only to loopback (`tcp://127.0.0.1:PORT` and the rest of 127/8,
/// `tcp://localhost:PORT`, `tcp://[::1]:PORT`) and to `ipc://` and `inproc://` endpoints; anything else needs
/// CURVE keys, or `--insecure` (which the coordinator logs as a warning at start).
public enum ListenPolicy {
    /// The outcome of ``check(_:curve:insecure:)``.
    public enum Decision: Equatable, Sendable {
        /// Safe as asked.
        case allowed
        /// Reachable from other hosts without CURVE, allowed by `--insecure`: log `warning` at start.
        case insecure(warning: String)
        /// Refused: `message` says which endpoints and how to make keys.
        case refused(message: String)
    }

    /// Decides whether `endpoints` may be bound, given CURVE (`curve`) and `--insecure`.
    public static func check(_ endpoints: [String], curve: Bool, insecure: Bool) -> Decision {
        if curve { return .allowed }
        let exposed = endpoints.filter { !isLocal($0) }
        if exposed.isEmpty { return .allowed }
        let list = exposed.joined(separator: ", ")
        if insecure {
            return .insecure(warning: "listening on \(list) WITHOUT CURVE (--insecure): anyone who can reach it "
                + "can submit experiments, read results and join as a worker")
        }
        return .refused(message: "refusing to listen on \(list) without CURVE: only loopback (tcp://127.0.0.1, "
            + "tcp://localhost, tcp://[::1]) and ipc:// endpoints are allowed without keys. Make keys with "
            + "`distembed keygen --out DIR` (once for the coordinator, once per worker and client), copy the "
            + "workers' and clients' public.key files into one folder, and start the coordinator with "
            + "--curve-secret DIR/secret.key --authorized FOLDER; or pass --insecure to listen unprotected")
    }

    /// True when `endpoint` is reachable only from this host: loopback TCP, `ipc://` or `inproc://`.
    public static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let address = endpoint.dropFirst("tcp://".count)
        // A `;` names a source address (connect syntax); not a bind address we can judge.
        guard !address.contains(";") else { return false }
        let host: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return false }
            host = address[address.index(after: address.startIndex)..<close]
            guard address[close...].hasPrefix("]:") else { return false }
        } else {
            guard let colon = address.lastIndex(of: ":") else { return false }
            host = address[..<colon]
        }
        return isLoopbackHost(host.lowercased())
    }

    private static func isLoopbackHost(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && Int(part).map { $0 <= 255 } == true
        }
    }
}
