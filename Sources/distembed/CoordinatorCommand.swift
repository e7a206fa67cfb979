import ArgumentParser
import Coordinator
import Core
import Foundation

/// `distembed coordinator`: the long-running daemon.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Run the coordinator: queue, store, reducer, optimizer, evaluation.")

    @Option(help: "ZeroMQ endpoint to bind (repeatable), tcp://HOST:PORT or ipc://PATH.")
    var listen: [String] = ["tcp://127.0.0.1:5555"]

    @Option(help: "Folder of the experiment store (SQLite).")
    var store = CoordinatorOptions.defaults.storeDirectory

    @Option(help: "The Fashion-MNIST folder; every worker must hold the same files.")
    var data = DatasetSpec.defaultPath

    @Option(help: "Seconds between worker heartbeats.")
    var heartbeatInterval = CoordinatorOptions.defaults.heartbeatInterval

    @Option(help: "Drop a worker silent for this many seconds.")
    var heartbeatTimeout = CoordinatorOptions.defaults.heartbeatTimeout

    @Option(help: "Drop a worker whose step result is this many seconds late.")
    var resultTimeout = CoordinatorOptions.defaults.resultTimeout

    @Option(help: "Drop a worker that has not answered an experiment's setup after this many seconds.")
    var setupTimeout = CoordinatorOptions.defaults.setupTimeout

    @Option(help: "Most workers connected at once.")
    var maxWorkers = CoordinatorOptions.defaults.maxWorkers

    @Option(help: "Most experiments queued at once.")
    var maxQueued = CoordinatorOptions.defaults.maxQueued

    @Option(help: "Serve Prometheus metrics, /healthz and /readyz over HTTP on HOST:PORT, e.g. 127.0.0.1:9464.")
    var metricsListen: String?

    @Flag(help: "Offer workers no shared memory: weights and gradients travel in messages even to workers on this host.")
    var noSharedMemory = false

    @Option(help: ArgumentHelp(
        "Every this many steps, and at each epoch's last step, check that every worker computed with the "
            + "coordinator's weights (a 64-bit digest; a worker whose weights differ is dropped); 0: never.",
        valueName: "steps"))
    var replicaCheckInterval = CoordinatorOptions.defaults.replicaCheckInterval

    @Option(help: ArgumentHelp(
        "Where a step's gradients are summed: sharded (among the workers, each owning a shard of the parameters, "
            + "when every worker was started with --peer-listen) or star (always here).", valueName: "kind"))
    var reduction = CoordinatorOptions.defaults.reduction

    @Option(help: "Serve the dataset to workers started with --fetch-data at most this many MB/s (0: serve nothing).")
    var serveDataRate = CoordinatorOptions.defaults.serveDataRate / 1e6

    @Option(help: ArgumentHelp("Serve the dataset in pieces of this many bytes (debug).", visibility: .hidden))
    var debugDataPieceSize = CoordinatorOptions.defaults.dataPieceSize

    @Option(help: ArgumentHelp("Corrupt this many of the first dataset pieces served (debug).", visibility: .hidden))
    var debugCorruptDataPieces = 0

    @Option(help: ArgumentHelp("Write the bound endpoints to this file once listening.", visibility: .hidden))
    var readyFile: String?

    @Option(help: ArgumentHelp("Deal chunks at random cut points and in random order (debug).",
                               visibility: .hidden))
    var shuffleSeed: UInt64?

    @OptionGroup(title: "Security and limits") var security: CoordinatorSecurityOptions

    @OptionGroup(title: "Spec limits (a submit over one is refused)") var specLimits: SpecLimitOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard replicaCheckInterval >= 0 else {
            throw ValidationError("--replica-check-interval must be 0 (no checks) or a number of steps, not "
                + "\(replicaCheckInterval)")
        }
    }

    func run() throws {
        logging.bootstrap()
        MemoryTuning.keepLargeBuffersInHeap()
        ShutdownSignal.install()
        var options = CoordinatorOptions()
        options.listen = listen
        options.storeDirectory = store
        options.dataFolder = data
        options.heartbeatInterval = heartbeatInterval
        options.heartbeatTimeout = heartbeatTimeout
        options.resultTimeout = resultTimeout
        options.setupTimeout = setupTimeout
        options.maxWorkers = maxWorkers
        options.maxQueued = maxQueued
        options.specLimits = specLimits.limits
        options.shuffleSeed = shuffleSeed
        options.metricsListen = metricsListen
        options.sharedMemory = !noSharedMemory
        options.replicaCheckInterval = replicaCheckInterval
        options.reduction = reduction
        guard serveDataRate >= 0, serveDataRate.isFinite else {
            throw ValidationError("--serve-data-rate: is \(serveDataRate); give MB/s, 0 or more (0 serves no data)")
        }
        guard DatasetManifest.pieceSizes.contains(debugDataPieceSize) else {
            throw ValidationError("--debug-data-piece-size: is \(debugDataPieceSize), outside "
                + "\(DatasetManifest.pieceSizes.lowerBound)...\(DatasetManifest.pieceSizes.upperBound)")
        }
        options.serveDataRate = serveDataRate * 1e6
        options.dataPieceSize = debugDataPieceSize
        options.corruptDataPieces = debugCorruptDataPieces
        try security.apply(to: &options)
        let server: CoordinatorServer
        do {
            server = try CoordinatorServer(options: options)
        } catch {
            throw CLIError(ExitStatus(of: error), "cannot start the coordinator: \(error)")
        }
        if let readyFile {
            try server.endpoints.joined(separator: "\n").write(toFile: readyFile, atomically: true, encoding: .utf8)
        }
        try server.run(until: { ShutdownSignal.isRequested })
    }
}

extension Reduction: ExpressibleByArgument {}
