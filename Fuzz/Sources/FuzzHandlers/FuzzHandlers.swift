import Coordinator
import Core
import Foundation
import FuzzDriver
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// The coordinator's message handlers, in process: each input is a short sequence of messages from a few peers,
/// built field by field from the input (``FuzzInput``) rather than as bytes, so the fuzzer spends its time in the
/// handlers, not in the codec (FuzzCodec covers that). Clients submit, list, watch, cancel and ask for results;
/// workers say hello (with the right kernels and dataset, or not), heartbeat, acknowledge setups and send results.
/// Any crash, trap or sanitizer report is a bug: every message must get an answer or an error.
enum Harness {
    /// A fresh coordinator every this many inputs: its store stays small, so `list` (a summary of every
    /// experiment on a page) and the queue stay fast, and the fuzzer keeps its pace.
    static let lifetime = 256

    nonisolated(unsafe) private static var current: (coordinator: CoordinatorServer, folder: URL)?
    nonisolated(unsafe) private static var inputs = 0

    /// The coordinator for the next input, on a temporary store (in memory-backed /dev/shm, where a commit's fsync
    /// costs nothing) and ipc endpoint, with small spec limits so that an experiment it starts costs milliseconds.
    static func coordinator() -> CoordinatorServer {
        inputs += 1
        if let current, inputs % lifetime != 0 { return current.coordinator }
        if let old = current {
            Self.current = nil  // closes its store and endpoint first
            try? FileManager.default.removeItem(at: old.folder)
        } else {
            atexit { Harness.current.map { try? FileManager.default.removeItem(at: $0.folder) } }
        }
        let folder = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("distembed-fuzz-\(getpid())-\(inputs)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var options = CoordinatorOptions()
        options.listen = ["ipc://\(folder.path)/c.sock"]
        options.storeDirectory = folder.appendingPathComponent("store").path
        options.sharedMemory = false
        options.dataFolder = dataset
        options.specLimits.epochs = 2
        options.specLimits.trainSamples = 64
        options.specLimits.testSamples = 16
        options.specLimits.evaluationSamples = 16
        options.specLimits.batchSize = 64
        do {
            let coordinator = try CoordinatorServer(options: options)
            current = (coordinator, folder)
            return coordinator
        } catch {
            fatalError("cannot start the coordinator to fuzz: \(error)")
        }
    }

    /// A dataset of 64 training and 16 test images in NumPy files, written once: every coordinator hashes its
    /// dataset at start and every experiment start reads and checks it again, which for Fashion-MNIST's 30 MB kept
    /// the fuzzer to a few dozen inputs a second.
    static let dataset: String = {
        let folder = "/dev/shm/distembed-fuzz-data-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/distembed-fuzz-data-\(getpid())") }
        for (part, count) in [("train", 64), ("test", 16)] {
            let pixels = (0..<count * 28 * 28).map { Float($0 % 251) / 251 }
            let images = NPYArray(shape: [count, 28, 28], contents: .float32(pixels))
            let labels = NPYArray(shape: [count], contents: .int64((0..<count).map { Int64($0 % 10) }))
            try? NPYWriter.write(images, toPath: "\(folder)/\(part)_images.npy")
            try? NPYWriter.write(labels, toPath: "\(folder)/\(part)_labels.npy")
        }
        return folder
    }()

    /// What every submit sets: the harness's dataset, and sizes that keep an experiment to milliseconds.
    static var baseOverrides: [String] {
        ["dataset.path=\"\(dataset)\"", "dataset.format=\"npy\"", "dataset.trainLimit=32", "dataset.testLimit=8",
         "evaluation.samples=8", "training.epochs=1", "training.batchSize=16"]
    }

    static let hello: Hello = {
        let catalog = try? DatasetCatalog(folder: dataset)
        return Hello(
            name: "fuzz", host: "localhost", pid: 1, cores: 1,
            datasets: catalog?.sha256.map { DatasetDigest(name: $0.name, sha256: $0.digest) } ?? [],
            kernelFingerprint: KernelFingerprint.current)
    }()

    static let spec: String = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../experiments/exercise4.json").path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? "{}"
    }()

    /// The fields a submit may override, each with a value the input picks.
    static func override(_ input: inout FuzzInput) -> String {
        let key = input.pick([
            "model.input", "training.epochs", "training.batchSize", "dataset.trainLimit", "dataset.testLimit",
            "evaluation.samples", "determinism.chunkSize", "determinism.auditFraction", "training.learningRate",
            "name", "seed", "checkpoint.everySteps", "model.layers.0.filters", "model.layers.0.kernel",
        ])
        let value = switch key {
        case "model.input": inputShape(&input)
        case "name": "\"\(input.string())\""
        case "determinism.auditFraction", "training.learningRate": "\(input.double())"
        default: "\(size(&input))"
        }
        return "\(key)=\(value)"
    }

    /// `model.input`: half the time three equal sides from one byte, so that one mutation makes all three extreme
    /// (the product of sides that overflowed needed every side large), else three sides picked alone.
    static func inputShape(_ input: inout FuzzInput) -> String {
        if input.bool() {
            let side = size(&input)
            return "[\(side), \(side), \(side)]"
        }
        return "[\(size(&input)), \(size(&input)), \(size(&input))]"
    }

    /// A size for a spec field, from one byte: the values that break size arithmetic, or a small one.
    static func size(_ input: inout FuzzInput) -> Int64 {
        let b = input.byte()
        let boundaries: [Int64] = [0, 1, -1, 28, 4096, 1 << 24, 1 << 24 + 1, Int64(Int32.max), 1 << 32, Int64.max]
        return b < 160 ? boundaries[Int(b) % boundaries.count] : Int64(b) - 160
    }

    /// An experiment id: one that may exist, or any string.
    static func experimentId(_ input: inout FuzzInput) -> String {
        let b = input.byte() % 8
        return b < 6 ? ["exp-1", "exp-2", "exp-3", "exp-0", "sweep-1", ""][Int(b)] : input.string()
    }

    /// One message, as peer `peer` would send it.
    static func message(_ input: inout FuzzInput) -> WireMessage {
        let id = experimentId(&input)
        switch input.byte() % 13 {
        case 0:
            var overrides = baseOverrides
            for _ in 0..<Int(input.byte() % 4) { overrides.append(override(&input)) }
            let seeds = input.bool() ? [] : (0..<Int(input.byte() % 3)).map { _ in input.uint64() }
            return .submitRequest(SubmitRequest(
                specJSON: input.bool() ? spec : input.string(limit: 255), overrides: overrides,
                minWorkers: input.uint32(), seeds: seeds))
        case 1: return .statusRequest(ExperimentRequest(experimentId: id))
        case 2: return .listRequest(ListRequest(afterId: input.bool() ? "" : id, limit: input.uint32()))
        case 3: return .watchRequest(WatchRequest(experimentId: id, afterSequence: input.uint64()))
        case 4: return .resultsRequest(ExperimentRequest(experimentId: id))
        case 5: return .cancelRequest(ExperimentRequest(experimentId: id))
        case 6:
            var h = hello
            if input.bool() { h.name = input.string() }
            if input.byte() % 8 == 0 { h.kernelFingerprint = input.string() }
            if input.byte() % 8 == 0 { h.protocolVersion = input.uint32() }
            return .hello(h)
        case 7: return .heartbeat(Heartbeat(sentAtNanos: input.uint64()))
        case 8: return .goodbye(Goodbye(reason: input.string()))
        case 9:
            return .setupAck(SetupAck(
                experimentId: id, error: input.bool() ? WireError(.internal, input.string()) : nil,
                sharedSegmentAttached: input.bool(), repliesInMailbox: input.bool()))
        case 10:
            let count = input.pick([0, 1, 72_842, 5_066, Int(input.byte())])
            let subtrees = (0..<Int(input.byte() % 3)).map { _ in
                Subtree(level: input.uint32(), index: input.uint32(), gradient: input.bool()
                    ? .inline(Tensor([Float](repeating: Float(input.double()), count: count)))
                    : .sharedSlot(input.uint32()))
            }
            return .workResult(WorkResult(
                experimentId: id, epoch: input.uint32(), step: input.uint32(), weightsVersion: input.uint64(),
                subtrees: subtrees, lossSum: input.double(), correctCount: input.uint32(),
                sampleCount: input.uint32(), computeSeconds: input.double()))
        case 11: return .error(WireError(ErrorCode(rawValue: input.uint32()), input.string()))
        default: return .welcome(Welcome(workerId: input.uint64(), heartbeatIntervalMs: input.uint32()))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandlers(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    let coordinator = Harness.coordinator()
    for n in 0..<16 where !input.isEmpty {
        let peer = PeerID([0x66, input.byte() % 4])
        coordinator.handle(Envelope(requestId: UInt64(n), message: Harness.message(&input)), from: peer)
    }
    coordinator.tick()
    return 0
}

/// Seeds for the corpus, written in the order ``Harness/message(_:)`` reads its bytes: a submit with a
/// `model.input` override, and a watch and a list after a submit. Mutations of these reach deep into the handlers
/// at once. (No worker's hello: with a worker, each submit starts an experiment, which costs more than the rest;
/// the fuzzer finds the hello by itself.)
let seeds: [String: [UInt8]] = [
    // peer, id exp-1, submit, one override, model.input as three sides [28, 28, 1], no seeds, the exercise spec,
    // min workers 0
    "submit": [0, 0, 0, 1, 0, 0, 3, 3, 1, 1, 1, 0, 0, 0],
    // a submit, then a watch of exp-1 after sequence 0 and a list of a page of 2
    "watch": [0, 0, 0, 0, 1, 1, 0, 0, 0, 2, 0, 3, 0, 0, 0, 2, 0, 2, 0, 0, 1, 0],
]

/// Seeds the corpus folder named by `FUZZ_SEED_DIR`.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzHandlersInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    guard let folder = getenv("FUZZ_SEED_DIR").map({ String(cString: $0) }) else { return 0 }
    for (name, bytes) in seeds {
        FileManager.default.createFile(atPath: "\(folder)/seed-\(name)", contents: Data(bytes))
    }
    return 0
}

/// SwiftPM links an executable with `main` aliased to `FuzzHandlers_main`; this hands over to libFuzzer.
@_cdecl("FuzzHandlers_main")
public func FuzzHandlersMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    runLibFuzzer(argc, argv) { fuzzHandlers($0, $1) }
}
