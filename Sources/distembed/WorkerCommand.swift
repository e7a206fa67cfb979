import ArgumentParser
import Core
import Foundation
import Worker

/// `distembed worker`: one worker process.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a worker: computes chunk gradients for the coordinator.")

    @Option(help: "The coordinator's endpoint, tcp://HOST:PORT or ipc://PATH.")
    var connect: String

    @Option(help: "A name for logs and status (default HOST-PID).")
    var name: String?

    @Option(help: "This worker's dataset folder, holding the coordinator's files (default \(DatasetSpec.defaultPath)).")
    var data: String?

    @Option(help: ArgumentHelp(
        "Fetch the coordinator's dataset into FOLDER/by-digest/DIGEST (nothing when it is there already) and train "
            + "on it, instead of --data.", valueName: "folder"))
    var fetchData: String?

    @Flag(help: "With --fetch-data: fetch the dataset, then exit without working.")
    var fetchOnly = false

    @Option(help: "Say hello again when the coordinator has been silent this many seconds.")
    var coordinatorTimeout = 15.0

    @Option(help: "Pin this worker's threads to CPU N (`run` pins each of its workers to its own CPU).")
    var cpu: Int?

    @Flag(help: "Do not map the coordinator's shared memory: take weights and send gradients in messages.")
    var noSharedMemory = false

    @Option(help: ArgumentHelp(
        "Take part in the sharded reduction: the other workers reach this one at tcp://HOST:PORT (this host's "
            + "address; PORT may be *). The workers then sum the gradients and step Adam among themselves, each for "
            + "a shard of the parameters, instead of through the coordinator.", valueName: "endpoint"))
    var peerListen: String?

    @Option(help: ArgumentHelp("Claim this kernel fingerprint (debug).", visibility: .hidden))
    var debugFingerprint: String?

    @Option(help: ArgumentHelp("Claim this protocol version in the hello (debug).", visibility: .hidden))
    var debugProtocolVersion: UInt32?

    @Flag(help: ArgumentHelp("Decline the experiment's shared weights, as a worker older than them (debug).",
                             visibility: .hidden))
    var debugDeclineSharedWeights = false

    @Option(help: ArgumentHelp(
        "Flip one bit of the weights computed with at this step (Adam's step count, from 0), to test the "
            + "coordinator's replica check (debug).", valueName: "step", visibility: .hidden))
    var debugFlipWeightBit: UInt64?

    @Flag(help: ArgumentHelp("With --debug-flip-weight-bit: flip it at every later step too (debug).",
                             visibility: .hidden))
    var debugFlipWeightBitPersistently = false

    @OptionGroup(title: "Security") var security: ClientSecurityOptions

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        if let cpu, let problem = CPUBinding.bind(to: cpu) { throw ValidationError("--cpu \(cpu): \(problem)") }
        if let problem = BatchScheduling.apply() { Console.info("warning: \(problem)") }
        MemoryTuning.keepLargeBuffersInHeap()
        ShutdownSignal.install()
        let info = ProcessInfo.processInfo
        var options = WorkerOptions(connect: connect, name: name ?? "\(info.hostName)-\(info.processIdentifier)")
        if data != nil && fetchData != nil {
            throw ValidationError("give --data (this host holds the files) or --fetch-data (fetch them from the "
                + "coordinator), not both")
        }
        options.dataFolder = data ?? DatasetSpec.defaultPath
        options.fetchFolder = fetchData
        if fetchOnly && fetchData == nil { throw ValidationError("--fetch-only needs --fetch-data FOLDER") }
        options.fetchOnly = fetchOnly
        options.coordinatorTimeout = coordinatorTimeout
        options.fingerprintOverride = debugFingerprint
        options.protocolVersionOverride = debugProtocolVersion
        options.curve = try security.curve()
        options.sharedMemory = !noSharedMemory
        options.peerListen = peerListen
        options.declinesSharedWeights = debugDeclineSharedWeights
        options.flipWeightBitAt = debugFlipWeightBit
        options.flipsWeightBitPersistently = debugFlipWeightBitPersistently
        let client: WorkerClient
        do {
            client = try WorkerClient(options: options)
        } catch {
            throw CLIError(ExitStatus(of: error), "cannot start the worker: \(error)")
        }
        let exit: WorkerExit
        do {
            exit = try client.run(until: { ShutdownSignal.isRequested })
        } catch let error as DeliveryError {
            throw CLIError(ExitStatus(of: error), "cannot fetch the dataset: \(error)")
        }
        switch exit {
        case .stopped:
            return
        case .rejected(let reason):
            Console.info("error: \(reason)")
            throw ExitCode(ExitStatus.workerRefused.rawValue)
        }
    }
}
