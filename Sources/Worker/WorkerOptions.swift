import Core
import Wire

/// How a worker runs.
public struct WorkerOptions: Sendable {
    /// The coordinator's endpoint, e.g. `tcp://10.0.0.5:5555` or `ipc:///tmp/distembed.sock`.
    public var connect: String
    /// A name for logs and status (default: host and process id).
    public var name: String
    /// This worker's copy of the dataset; its SHA-256 must match the coordinator's.
    public var dataFolder: String = DatasetSpec.defaultPath
    /// Fetch the coordinator's dataset into `by-digest/DIGEST/` in this folder (unless it is there already) and use
    /// that instead of ``dataFolder``; nil to use ``dataFolder``.
    public var fetchFolder: String?
    /// Stop once the dataset is fetched, without joining: prepares a host.
    public var fetchOnly = false
    /// Reconnect (say hello again) when the coordinator has been silent this long (seconds).
    public var coordinatorTimeout: Double = 15
    /// Debug: claim this kernel fingerprint instead of the real one (tests the coordinator's refusal).
    public var fingerprintOverride: String?
    /// Debug: claim this protocol version in the hello (tests the coordinator's refusal).
    public var protocolVersionOverride: UInt32?
    /// CURVE client keys and the coordinator's public key; nil for a plain connection (loopback or `ipc://`).
    public var curve: CurveOptions?
    /// Take weights from and put gradients into the coordinator's shared-memory segment when it offers one and
    /// it can be mapped (same host and user); otherwise they travel in messages.
    public var sharedMemory = true
    /// Debug: map the worker's own segment but not the experiment's shared weights, as a worker older than them
    /// (tests that the coordinator then copies the weights into the segment).
    public var declinesSharedWeights = false
    /// Where this worker's peers reach it for the sharded reduction (`tcp://HOST:PORT`, HOST this host's address);
    /// nil: it takes part in no sharded group, and its weights and gradients go through the coordinator.
    public var peerListen: String?
    /// Debug: flip one bit of the weights this worker computes with at this weights version (Adam's step count,
    /// from 0), or at every version from it on when ``flipsWeightBitPersistently``; tests the replica check.
    public var flipWeightBitAt: UInt64?
    /// Debug: with ``flipWeightBitAt``, keep flipping the bit at every later step (a bit stuck in memory).
    public var flipsWeightBitPersistently = false

    public init(connect: String, name: String) {
        self.connect = connect
        self.name = name
    }
}

/// Why a worker stopped.
public enum WorkerExit: Sendable, Equatable {
    /// Asked to stop (SIGINT, SIGTERM).
    case stopped
    /// The coordinator refused it at handshake; the message says why and what to do.
    case rejected(String)
}
