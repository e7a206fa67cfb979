import NIOCore

/// The address of the coordinator's HTTP endpoint for metrics and probes, from `--metrics-listen HOST:PORT`:
/// an IPv4 address (`127.0.0.1:9464`, `0.0.0.0:9464` in a container), `localhost:9464`, or an IPv6 address in
/// brackets (`[::1]:9464`). Port 0 takes any free port.
public struct MetricsListenAddress: Sendable, CustomStringConvertible {
    public let host: String
    public let port: UInt16
    /// The socket address to bind.
    let socketAddress: SocketAddress

    /// Parses `HOST:PORT`.
    /// - Throws: ``MetricsServerError`` naming the text and the forms it takes.
    public init(_ text: String) throws(MetricsServerError) {
        let usage = "--metrics-listen \(text): expected HOST:PORT with an IP address, e.g. 127.0.0.1:9464 "
            + "(this machine only), 0.0.0.0:9464 (every interface) or [::1]:9464"
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw MetricsServerError(usage)
        }
        var host = String(text[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]")
        if bracketed { host = String(host.dropFirst().dropLast()) }
        // An IPv6 address only in brackets, an IPv4 address only without.
        guard let address = try? SocketAddress(ipAddress: host, port: Int(port)),
            (address.protocol == .inet6) == bracketed
        else {
            throw MetricsServerError(usage)
        }
        socketAddress = address
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The metrics endpoint could not start: a malformed `--metrics-listen` or an address that cannot be bound.
public struct MetricsServerError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
