/// ZeroMQ CURVE security for a socket: encryption and authentication with long-term key pairs (CurveZMQ).
///
/// A server (the coordinator's ROUTER) holds its secret key; every client (workers, the CLI) holds its own key
/// pair and the server's public key. Which clients a server admits is decided by a ``ZAPHandler`` on the same
/// context, which must be running before the server binds.
public struct CurveOptions: Hashable, Sendable {
    /// Which side of the handshake the socket takes.
    public enum Role: Hashable, Sendable {
        /// Accepts connections (`ZMQ_CURVE_SERVER`).
        case server
        /// Connects to a server whose public key is `serverKey` (`ZMQ_CURVE_SERVERKEY`, Z85).
        case client(serverKey: String)
    }

    /// The socket's side.
    public var role: Role
    /// The socket's own long-term keys.
    public var keys: CurveKeyPair

    /// A server with `keys`.
    public static func server(_ keys: CurveKeyPair) -> CurveOptions {
        CurveOptions(role: .server, keys: keys)
    }

    /// A client with `keys` that trusts the server holding the secret of `serverKey`.
    public static func client(_ keys: CurveKeyPair, serverKey: String) -> CurveOptions {
        CurveOptions(role: .client(serverKey: serverKey), keys: keys)
    }

    /// The ZAP domain servers announce; the ``ZAPHandler`` answers requests of any domain.
    public static let zapDomain = "distembed"
}
