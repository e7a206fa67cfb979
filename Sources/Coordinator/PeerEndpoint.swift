/// A worker's peer endpoint, as its hello gave it: kept only when it is a plain `tcp://` endpoint of printable
/// characters, short enough for the other members' logs, since every member connects to it.
enum PeerEndpoint {
    static let maxLength = 200

    static func checked(_ endpoint: String) -> String? {
        guard endpoint.hasPrefix("tcp://"), endpoint.utf8.count <= maxLength,
            endpoint.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        return endpoint
    }
}
