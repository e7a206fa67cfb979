import Wire

/// The workers that said hello and were welcomed, by id and by the peer each speaks from. One owner for both
/// tables, so that they cannot disagree: a worker is added and removed in one call.
struct WorkerRoster {
    private var byId: [WorkerID: ConnectedWorker] = [:]
    private var idByPeer: [PeerID: WorkerID] = [:]

    var count: Int { byId.count }
    var isEmpty: Bool { byId.isEmpty }
    var ids: Dictionary<WorkerID, ConnectedWorker>.Keys { byId.keys }
    var all: Dictionary<WorkerID, ConnectedWorker>.Values { byId.values }

    /// The worker with id `id`. Setting changes what the coordinator holds for it (its shared segment); a
    /// worker's peer never changes, and ``remove(_:)`` is how one leaves.
    subscript(id: WorkerID) -> ConnectedWorker? {
        get { byId[id] }
        set {
            guard let newValue, let old = byId[id] else { return }
            precondition(newValue.peer == old.peer, "a worker's peer never changes")
            byId[id] = newValue
        }
    }

    /// The id of the worker that speaks from `peer`; nil for a peer that has not said hello.
    func id(of peer: PeerID) -> WorkerID? {
        idByPeer[peer]
    }

    mutating func add(_ worker: ConnectedWorker, as id: WorkerID) {
        precondition(byId[id] == nil && idByPeer[worker.peer] == nil, "worker \(id) or its peer is there already")
        byId[id] = worker
        idByPeer[worker.peer] = id
    }

    /// Removes worker `id`; returns it, or nil when it was not there.
    mutating func remove(_ id: WorkerID) -> ConnectedWorker? {
        guard let worker = byId.removeValue(forKey: id) else { return nil }
        idByPeer.removeValue(forKey: worker.peer)
        return worker
    }

    /// The ids of the workers for which `isIncluded` holds.
    func ids(where isIncluded: (ConnectedWorker) -> Bool) -> [WorkerID] {
        byId.compactMap { id, worker in isIncluded(worker) ? id : nil }
    }
}

/// A worker that said hello and was welcomed.
struct ConnectedWorker {
    var peer: PeerID
    /// The name it gave, escaped (``PrintableText``).
    var name: String
    /// Its host, process id and CPU as its hello gave them (escaped), for naming it when its weights differ.
    var process: ReplicaCheck.Process
    var cpu: String
    /// The shared-memory segment offered for the running experiment; nil when none was.
    var segment: WorkerSegment?
    /// Where the other members of a sharded group reach it (its hello's, checked); nil: it takes part in none.
    var peerEndpoint: String?
    /// With CURVE, the public key of its peer inbox (its hello's, when a valid key); nil: none.
    var peerPublicKey: String? = nil
}
