import Core
import Foundation
import Wire

/// A worker made by hand over the wire, for the faults a real one never makes: it holds the dataset and the
/// kernels, heartbeats and says hello again when the coordinator forgets it, but answers setups and assignments
/// the way its ``Behaviour`` says. It runs on a thread of its own until `stop()`.
final class FakeWorker: @unchecked Sendable {
    enum Behaviour: Equatable {
        /// Heartbeats, but never answers a setup.
        case ignoresSetups
        /// Accepts setups and answers every assignment with a gradient of NaNs.
        case sendsNaNGradients
        /// Accepts the first setup, answers its first assignment with a new hello, then ignores setups.
        case saysHelloAgainMidStep
        /// Accepts setups and answers every assignment with a gradient of zeros: finite, well formed and wrong.
        case sendsZeroGradients
        /// Refuses every setup with this reason, and reports it as an error too.
        case refusesSetups(reason: String)
    }

    private let endpoint: String
    private let name: String
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var stopping = false
    private var thread: Thread?
    private var counts: [String: Int] = [:]
    private let finished = DispatchSemaphore(value: 0)

    init(endpoint: String, behaviour: Behaviour, name: String = "fake") {
        self.endpoint = endpoint
        self.name = name
        self.behaviour = behaviour
    }

    /// How many messages of each kind (``WireMessage/name``) it has received, and `hello` for each hello it sent.
    func count(_ name: String) -> Int { lock.withLock { counts[name, default: 0] } }

    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            do { try serve() } catch { record("failed: \(error)") }
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.withLock { stopping = true }
        if thread != nil { finished.wait() }
        thread = nil
    }

    private func record(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }

    private func serve() throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let connection = try DealerConnection(context: context, connect: endpoint)
        let catalog = try DatasetCatalog(folder: DatasetSpec.defaultPath)
        func hello() throws {
            record("hello")
            try connection.send(.hello(Hello(
                name: name, host: "localhost", pid: getpid(), cores: 1,
                datasets: catalog.sha256.map { DatasetDigest(name: $0.name, sha256: $0.digest) },
                kernelFingerprint: KernelFingerprint.current)))
        }
        try hello()
        var setup: (schedule: TrainingSchedule, parameters: Int)?
        var lastBeat = Date.distantPast
        while !lock.withLock({ stopping }) {
            if Date().timeIntervalSince(lastBeat) > 0.3 {
                try connection.send(.heartbeat(Heartbeat(sentAtNanos: 0)))
                lastBeat = Date()
            }
            guard let envelope = try connection.receive(timeout: .milliseconds(50)) else { continue }
            record(envelope.message.name)
            switch envelope.message {
            case .error(let error) where error.code == .notFound:
                try hello()
            case .experimentSetup(let s) where behaviour == .sendsNaNGradients || behaviour == .sendsZeroGradients
                || (behaviour == .saysHelloAgainMidStep && count("hello") == 1):
                let spec = try ExperimentSpec.parse(json: s.specJSON)
                setup = (TrainingSchedule(spec: spec, sampleCount: spec.dataset.trainLimit),
                         try Model(spec.model).parameterCount)
                try connection.send(.setupAck(SetupAck(experimentId: s.experimentId)))
            case .experimentSetup(let s):
                if case .refusesSetups(let reason) = behaviour {
                    let refusal = WireError(.internal, reason)
                    try connection.send(.setupAck(SetupAck(experimentId: s.experimentId, error: refusal)))
                    try connection.send(.error(refusal))
                }
            case .workAssignment where behaviour == .saysHelloAgainMidStep:
                if count("hello") == 1 { try hello() }
            case .workAssignment(let a):
                guard let (schedule, parameters) = setup.map({ ($0.schedule, $0.parameters) }) else { continue }
                let run = Int(a.chunkBegin)..<Int(a.chunkEnd)
                let tree = ChunkTree(chunkCount: schedule.chunkCount(step: Int(a.step)))
                let nan = Tensor([Float](repeating: behaviour == .sendsZeroGradients ? 0 : .nan, count: parameters))
                let samples = run.reduce(0) { $0 + schedule.chunk($1, ofStep: Int(a.step)).count }
                try connection.send(.workResult(WorkResult(
                    experimentId: a.experimentId, epoch: a.epoch, step: a.step, weightsVersion: a.weightsVersion,
                    subtrees: tree.cover(run).map {
                        Subtree(level: UInt32($0.level), index: UInt32($0.index), gradient: nan)
                    },
                    lossSum: 1, correctCount: 0, sampleCount: UInt32(samples), computeSeconds: 0.001,
                    // The true digest, as a worker that computes wrong gradients from the right weights would send.
                    weightsDigest: a.sendWeightsDigest
                        ? a.weights?.values.withUnsafeBufferPointer { WeightsDigest.of($0) } : nil)))
            default:
                break
            }
        }
    }
}
