import Core
import Wire

/// How a coordinator runs: where it listens, where it keeps its store, and its timeouts and limits.
public struct CoordinatorOptions: Sendable {
    /// ZeroMQ endpoints to bind, e.g. `tcp://127.0.0.1:5555` or `ipc:///tmp/distembed.sock`.
    public var listen: [String] = ["tcp://127.0.0.1:5555"]
    /// The folder of the SQLite store (created, owner-only).
    public var storeDirectory: String = ".distembed"
    /// The dataset folder every worker must hold too (SHA-256 checked at handshake).
    public var dataFolder: String = DatasetSpec.defaultPath
    /// How often workers send heartbeats (seconds).
    public var heartbeatInterval: Double = 0.5
    /// A worker silent this long is dropped (seconds).
    public var heartbeatTimeout: Double = 5
    /// A worker whose result is this late is dropped (seconds).
    public var resultTimeout: Double = 30
    /// A worker that has not answered an experiment's setup after this long is dropped (seconds).
    public var setupTimeout: Double = 60
    /// Debug: deal chunks to workers at random cut points and in random order (the weights must not change).
    public var shuffleSeed: UInt64?
    /// At most this many connected workers.
    public var maxWorkers = 256
    /// At most this many queued experiments.
    public var maxQueued = 1000
    /// The largest sizes a submitted spec may ask for.
    public var specLimits = SpecLimits.defaults
    /// The largest message accepted or sent, in bytes (`ZMQ_MAXMSGSIZE`; a peer sending more is disconnected).
    public var maxMessageSize = defaultMaxMessageSize
    /// CURVE server keys; nil for none (then only loopback and `ipc://` endpoints, see ``ListenPolicy``).
    public var curve: CurveOptions?
    /// The folder of authorized client and worker public keys (required with ``curve``, read by the ZAP handler).
    public var authorizedKeysFolder: String?
    /// Listen on non-loopback endpoints without CURVE (logged as a warning at start).
    public var insecure = false
    /// The folders a spec's `dataset.path` may resolve into (``DataPathPolicy``); ``dataFolder`` is allowed too.
    public var dataDirectories = DataPathPolicy.defaultDirectories
    /// `HOST:PORT` to serve Prometheus metrics, `/healthz` and `/readyz` on over plain HTTP; nil for none.
    public var metricsListen: String?
    /// Offer each worker a shared-memory segment for weights and gradients; workers on this host and user map
    /// it, the others keep using messages (Docs/WireProtocol.md, "Shared memory").
    public var sharedMemory = true
    /// Every this many steps, and at the last step of every epoch, workers send the digest of the weights they
    /// computed with and the coordinator compares it with its own before using their gradients; 0: never
    /// (Docs/Determinism.md, "Replicas that agree").
    public var replicaCheckInterval = 1
    /// Serve the dataset to workers that fetch it (`worker --fetch-data`) at most this many bytes a second; 0
    /// serves nothing. 50 MB/s fetches Fashion-MNIST in under a second and leaves a 1 Gbit/s link 60% free.
    public var serveDataRate: Double = 50e6
    /// How the workers' gradients are reduced when they can be sharded: by the workers themselves, each owning a
    /// shard (`.sharded`, whenever every worker has a `--peer-listen` endpoint), or always here (`.star`).
    public var reduction = Reduction.sharded
    /// The pieces the dataset is served in (``DatasetManifest/pieceSizes``).
    public var dataPieceSize = DatasetManifest.defaultPieceSize
    /// Debug: corrupt this many of the first pieces served (tests that workers refuse them).
    public var corruptDataPieces = 0

    public init() {}

    /// The defaults, the one place the CLI's option defaults and the scheduler's come from.
    public static let defaults = CoordinatorOptions()
}

/// Where a step's gradients are summed and Adam steps (Docs/ShardedReduction.md).
public enum Reduction: String, Sendable, CaseIterable {
    /// On the coordinator: every worker gets the weights from it and sends it its subtree sums.
    case star
    /// Among the workers, when each has a peer endpoint and none uses shared memory: each owns a shard of the
    /// parameters, sums it, steps Adam for it and sends the new shard to the others; the coordinator only deals.
    case sharded
}
