/// The SHA-256 of one dataset file, so the coordinator can check a worker holds the same data.
public struct DatasetDigest: Hashable, Sendable {
    /// The file's name, e.g. `train-images-idx3-ubyte.gz`.
    public var name: String
    /// The file's SHA-256 as lowercase hex.
    public var sha256: String

    /// Creates a digest entry.
    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }
}

/// Worker → coordinator: the first message of a worker, describing it.
public struct Hello: Hashable, Sendable {
    /// The worker's name (`--name`, or the host name and pid).
    public var name: String
    /// The host the worker runs on.
    public var host: String
    /// The worker's process id.
    public var pid: Int32
    /// The number of cores the worker will use.
    public var cores: Int32
    /// The protocol version the worker speaks (also in its envelope; kept here for the handshake log).
    public var protocolVersion: UInt32
    /// The SHA-256 of each dataset file the worker holds, sorted by name when built from a dictionary.
    public var datasets: [DatasetDigest]
    /// The hash of the worker's kernel probe computation; workers of one experiment must agree.
    public var kernelFingerprint: String
    /// The worker's CPU model and kernel path, to name in a refusal; empty from older workers.
    public var cpu: String
    /// Where peers reach this worker for the sharded reduction (`worker --peer-listen`); empty: it takes part in no
    /// sharded group.
    public var peerEndpoint: String
    /// With CURVE: the public key (Z85) of the worker's peer inbox; empty without CURVE.
    public var peerPublicKey: String

    /// Creates a hello; `protocolVersion` defaults to this build's ``protocolVersion``.
    public init(
        name: String, host: String, pid: Int32, cores: Int32, protocolVersion: UInt32 = Wire.protocolVersion,
        datasets: [DatasetDigest], kernelFingerprint: String, cpu: String = "",
        peerEndpoint: String = "", peerPublicKey: String = ""
    ) {
        self.name = name
        self.host = host
        self.pid = pid
        self.cores = cores
        self.protocolVersion = protocolVersion
        self.datasets = datasets
        self.kernelFingerprint = kernelFingerprint
        self.cpu = cpu
        self.peerEndpoint = peerEndpoint
        self.peerPublicKey = peerPublicKey
    }

    /// The dataset digests as a file-name → SHA-256 dictionary.
    public var datasetSHA256: [String: String] {
        Dictionary(datasets.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })
    }
}

extension Array where Element == DatasetDigest {
    /// The digests of a file-name → SHA-256 dictionary, sorted by file name so the encoding is deterministic.
    public init(sortedFrom sha256ByName: [String: String]) {
        self = sha256ByName.sorted { $0.key < $1.key }.map { DatasetDigest(name: $0.key, sha256: $0.value) }
    }
}

/// Coordinator → worker: the worker is admitted.
public struct Welcome: Hashable, Sendable {
    /// The id the coordinator gave this worker.
    public var workerId: UInt64
    /// How often the worker must send a ``Heartbeat``.
    public var heartbeatIntervalMs: UInt32

    /// Creates a welcome.
    public init(workerId: UInt64, heartbeatIntervalMs: UInt32) {
        self.workerId = workerId
        self.heartbeatIntervalMs = heartbeatIntervalMs
    }
}

/// Either direction: the sender is alive.
public struct Heartbeat: Hashable, Sendable {
    /// The sender's monotonic clock when it sent the heartbeat, in nanoseconds.
    public var sentAtNanos: UInt64

    /// Creates a heartbeat.
    public init(sentAtNanos: UInt64) {
        self.sentAtNanos = sentAtNanos
    }
}

/// Either direction: the sender is leaving.
public struct Goodbye: Hashable, Sendable {
    /// Why the sender is leaving, for the other side's log.
    public var reason: String

    /// Creates a goodbye.
    public init(reason: String) {
        self.reason = reason
    }
}
