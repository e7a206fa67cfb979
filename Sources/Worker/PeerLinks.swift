import Wire

/// A worker's links to the other members of its sharded group (Docs/ShardedReduction.md): its inbox, a ROUTER
/// bound at `--peer-listen`, and a DEALER connected to each other member's inbox, kept while the member stays in
/// the groups this worker is given. Use from the worker's thread.
final class PeerLinks {
    /// The endpoint the other members connect to, as the worker advertises it in its hello.
    let endpoint: String
    private let inbox: RouterEndpoint
    private let context: ZMQContext
    private let options: SocketOptions
    private var outgoing: [String: DealerConnection] = [:]

    /// The inbox's socket, for the worker's ``Poller``.
    var socket: ZMQSocket { inbox.socket }

    /// Binds the inbox at `listen` (`tcp://HOST:PORT`; a port of `*` picks a free one).
    /// - Throws: ``PeerLinksError`` when the endpoint names no address peers can reach; ``ZMQError`` when it
    ///   cannot be bound.
    init(context: ZMQContext, listen: String, options: SocketOptions) throws {
        guard listen.hasPrefix("tcp://") else { throw PeerLinksError.notTCP(listen) }
        self.context = context
        self.options = options
        self.inbox = try RouterEndpoint(context: context, bind: [listen], options: options)
        let bound = inbox.endpoints.first ?? listen
        for wildcard in ["tcp://0.0.0.0:", "tcp://[::]:", "tcp://*:"] where bound.hasPrefix(wildcard) {
            throw PeerLinksError.wildcard(listen)
        }
        self.endpoint = bound
    }

    /// Keeps a connection to each endpoint in `peers` (this worker's own aside) and closes the others.
    func connect(to peers: [String]) throws {
        let wanted = Set(peers).subtracting([endpoint])
        for gone in Set(outgoing.keys).subtracting(wanted) { outgoing[gone] = nil }
        for peer in wanted where outgoing[peer] == nil {
            outgoing[peer] = try DealerConnection(context: context, connect: peer, options: options)
        }
    }

    /// Sends `message` to the member at `peer`, waiting at most the send timeout for room in its queue.
    func send(_ message: WireMessage, to peer: String) throws {
        guard let connection = outgoing[peer] else {
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
    case withCurve(String)

    var description: String {
        switch self {
        case .notTCP(let endpoint):
            "--peer-listen \(endpoint): the sharded reduction links workers on different hosts, so it needs a "
                + "tcp:// endpoint with this host's address, e.g. tcp://10.0.0.7:7001"
        case .wildcard(let endpoint):
            "--peer-listen \(endpoint): give this host's address, which the other workers connect to (e.g. "
                + "tcp://10.0.0.7:7001 or tcp://10.0.0.7:*), not a wildcard"
        case .withCurve(let endpoint):
            "--peer-listen \(endpoint) with CURVE: the links between workers are not encrypted yet, and the "
                + "coordinator's are; leave out --peer-listen (the weights and gradients then go through the "
                + "coordinator, encrypted)"
        }
    }
}
