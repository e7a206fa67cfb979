import Wire

/// A worker's links to the other members of its sharded group (Docs/ShardedReduction.md): its inbox, a ROUTER
/// bound at `--peer-listen`, and a DEALER connected to each other member's inbox, kept while the member stays in
/// the groups this worker is given. Use from the worker's thread.
///
/// With CURVE (the worker's `--curve-secret`), the inbox is a CURVE server with the worker's own keys, which its
/// hello advertises, and each DEALER a CURVE client that expects its peer's key: every gradient and weight between
/// workers is encrypted. The inbox admits every CURVE client (a ZAP handler on the worker's context) and names
/// each message's sender by the key CURVE proved (``InboundMessage/senderKey``), which the worker checks against
/// the group's member of the rank the message claims (``isFromMember(_:rank:of:)``). Admitting by the group's keys
/// at the handshake instead would race: a member's first connection can arrive before this worker has been
/// given the group, and libzmq does not retry a connection refused at the handshake.
final class PeerLinks {
    /// The endpoint the other members connect to, as the worker advertises it in its hello.
    let endpoint: String
    /// With CURVE: the public key of the inbox, as the worker advertises it in its hello.
    let publicKey: String?
    private let inbox: RouterEndpoint
    private let context: ZMQContext
    private let options: SocketOptions
    private let keys: CurveKeyPair?
    /// With CURVE: the handler that admits CURVE clients and names their keys.
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
            // Before the bind: without a handler libzmq would name no user id.
            self.authentication = try ZAPHandler(admittingEveryCurveClientOf: context, log: log)
            inboxOptions.curve = .server(keys)
        } else {
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
    /// `peerKeys` are the members' public keys by rank, which each connection expects of its peer.
    /// - Throws: ``WireError`` `.badRequest` when CURVE is on and the keys do not name every member, or are not
    ///   keys; ``ZMQError`` when a connection cannot be made.
    func connect(to peers: [String], peerKeys: [String]) throws {
        if keys != nil {
            guard peerKeys.count == peers.count, peerKeys.allSatisfy(CurveKeys.isValid) else {
                throw WireError(.badRequest, "a sharded group of \(peers.count) members names \(peerKeys.count) valid "
                    + "peer keys, and this worker's peer links use CURVE")
            }
        }
        // Each other member's endpoint, with the key its inbox must prove (none without CURVE).
        var wanted: [String: String?] = [:]
        for (rank, peer) in peers.enumerated() where peer != endpoint {
            wanted.updateValue(keys == nil ? nil : peerKeys[rank], forKey: peer)
        }
        for (peer, link) in outgoing where wanted[peer] != .some(link.key) { outgoing[peer] = nil }
        for (peer, key) in wanted where outgoing[peer] == nil {
            var peerOptions = options
            if let keys, let key { peerOptions.curve = .client(keys, serverKey: key) }
            outgoing[peer] = (key, try DealerConnection(context: context, connect: peer, options: peerOptions))
        }
    }

    /// Whether a message whose sender CURVE proved to hold `senderKey` was sent by the member of rank `rank` of a
    /// group whose members' keys are `peerKeys`: with CURVE the keys must match; without CURVE nothing can be
    /// proven, and every message passes (and is checked against the step like any input).
    func isFromMember(_ senderKey: String?, rank: Int, of peerKeys: [String]) -> Bool {
        guard keys != nil else { return true }
        return peerKeys.indices.contains(rank) && senderKey == peerKeys[rank]
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
