#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libzmq binds TCP to an interface name or an IP address, never a host name: `tcp://localhost:5555` fails with
/// "No such device". A host name in a bind endpoint is resolved here, to its first IPv4 address when it has one
/// (`localhost` is 127.0.0.1), else its first IPv6 address.
enum BindAddress {
    /// `endpoint` with a TCP host name replaced by its address; any other endpoint unchanged.
    static func resolved(_ endpoint: String) -> String {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return endpoint }
        let host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        guard isHostName(host), let address = address(of: host) else { return endpoint }
        return "tcp://" + address + endpoint[colon...]
    }

    /// Neither `*`, an IP literal nor the name of a network interface (`lo`, `eth0`), which libzmq takes as is.
    private static func isHostName(_ host: String) -> Bool {
        guard !host.isEmpty, host != "*", !host.hasPrefix("["), if_nametoindex(host) == 0 else { return false }
        var probe = in_addr()
        return inet_pton(AF_INET, host, &probe) != 1
    }

    private static func address(of host: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { return nil }
        defer { freeaddrinfo(list) }
        var addresses: [(family: Int32, text: String)] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let text = numeric(current.pointee) { addresses.append((current.pointee.ai_family, text)) }
            entry = current.pointee.ai_next
        }
        if let v4 = addresses.first(where: { $0.family == AF_INET }) { return v4.text }
        return addresses.first(where: { $0.family == AF_INET6 }).map { "[\($0.text)]" }
    }

    /// The address of one `getaddrinfo` entry as text (`127.0.0.1`, `::1`).
    private static func numeric(_ info: addrinfo) -> String? {
        guard let socketAddress = info.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = getnameinfo(
            socketAddress, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        return status == 0 ? String(cString: buffer) : nil
    }
}
