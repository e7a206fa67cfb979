import Wire

/// A worker's links to the other members of its sharded group (Docs/ShardedReduction.md): its inbox, a ROUTER
/// bound at `--peer-listen`, and a DEALER connected to each other member's inbox, kept while the member stays in
/// the groups this worker is given. Use from the worker's thread.
///
/// With CURVE (the worker's `--curve-secret`), the inbox is a CURVE server with the worker's own keys, which its
/// hello advertises, and admits only the current group's members (a ZAP handler on the worker's context, fed the
/// members' keys with each new group); each DEALER is a CURVE client that expects its peer's key. Every gradient
/// and weight between workers is then encrypted, and a stranger on the peer port gets nothing through.
final class PeerLinks {
    /// The endpoint the other members connect to, as the worker advertises it in its hello.
    let endpoint: String
    /// With CURVE: the public key of the inbox, as the worker advertises it in its hello.
    let publicKey: String?
    private let inbox: RouterEndpoint
    private let context: ZMQContext
    private let options: SocketOptions
    private let keys: CurveKeyPair?
    /// With CURVE: the members the inbox admits, and the handler that admits them.
    private let members: AuthorizedKeyList?
    private let authentication: ZAPHandler?
    private var outgoing: [String: (key: String?, connection: DealerConnection)] = [:]

    /// The inbox's socket, for the worker's ``Poller``.
    var socket: ZMQSocket { inbox.socket }

    /// Binds the inbox at `listen` (`tcp://HOST:PORT`; a port of `*` picks a free one), with CURVE when `keys`
    /// are given (`options` must have none: each socket gets its own role here).
    /// - Throws: ``PeerLinksError`` when the endpoint names no address peers can reach; ``ZMQError`` when it
    ///   cannot be bound.
    init(
        context: ZMQContext, listen: String, options: SocketOptions, keys: CurveKeyPair?,
        log: @escaping @Sendable (String) -> Void
    ) throws {
        guard listen.hasPrefix("tcp://") else { throw PeerLinksError.notTCP(listen) }
        self.context = context
        self.options = options
        self.keys = keys
        self.publicKey = keys?.publicKey
        var inboxOptions = options
        if let keys {
            // Before the bind: libzmq admits every client while no handler is bound.
            let members = AuthorizedKeyList()
            self.members = members
            self.authentication = try ZAPHandler(context: context, authorized: members, log: log)
            inboxOptions.curve = .server(keys)
        } else {
            self.members = nil
            self.authentication = nil
        }
        self.inbox = try RouterEndpoint(context: context, bind: [listen], options: inboxOptions)
        let bound = inbox.endpoints.first ?? listen
        for wildcard in ["tcp://0.0.0.0:", "tcp://[::]:", "tcp://*:"] where bound.hasPrefix(wildcard) {
            throw PeerLinksError.wildcard(listen)
        }
        self.endpoint = bound
    }

    /// Keeps a connection to each endpoint in `peers` (this worker's own aside) and closes the others; with CURVE,
    /// `peerKeys` are the members' public keys by rank, which the inbox admits from now on and each connection
    /// expects of its peer.
    /// - Throws: ``WireError`` `.badRequest` when CURVE is on and the keys do not name every member, or are not
    ///   keys; ``ZMQError`` when a connection cannot be made.
    func connect(to peers: [String], peerKeys: [String]) throws {
        if keys != nil {
            guard peerKeys.count == peers.count, peerKeys.allSatisfy(CurveKeys.isValid) else {
                throw WireError(.badRequest, "a sharded group of \(peers.count) members names \(peerKeys.count) valid "
                    + "peer keys, and this worker's peer links use CURVE")
            }
        }
        let wanted = Dictionary(
            zip(peers, keys == nil ? peers.map { _ in nil } : peerKeys.map(Optional.some)), uniquingKeysWith: { a, _ in a })
            .filter { $0.key != endpoint }
        members?.replace(with: Set(wanted.values.compactMap { $0 }))
        for (peer, link) in outgoing where wanted[peer] != .some(link.key) { outgoing[peer] = nil }
        for (peer, key) in wanted where outgoing[peer] == nil {
            var peerOptions = options
            if let keys, let key { peerOptions.curve = .client(keys, serverKey: key) }
            outgoing[peer] = (key, try DealerConnection(context: context, connect: peer, options: peerOptions))
        }
    }

    /// Sends `message` to the member at `peer`, waiting at most the send timeout for room in its queue.
    func send(_ message: WireMessage, to peer: String) throws {
        guard let connection = outgoing[peer]?.connection else {
            throw WireError(.internal, "no connection to peer \(peer)")
        }
        try connection.send(message, requestId: 0)
    }

    /// The next message in the inbox, if one is there within `timeout`.
    func receive(timeout: Duration) throws -> Inbound? {
        try inbox.receive(timeout: timeout)
    }
}

/// A `--peer-listen` endpoint that peers could not use.
enum PeerLinksError: Error, CustomStringConvertible {
    case notTCP(String)
    case wildcard(String)

    var description: String {
        switch self {
        case .notTCP(let endpoint):
            "--peer-listen \(endpoint): the sharded reduction links workers on different hosts, so it needs a "
                + "tcp:// endpoint with this host's address, e.g. tcp://10.0.0.7:7001"
        case .wildcard(let endpoint):
            "--peer-listen \(endpoint): give this host's address, which the other workers connect to (e.g. "
                + "tcp://10.0.0.7:7001 or tcp://10.0.0.7:*), not a wildcard"
        }
    }
}
