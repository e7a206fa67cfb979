import ArgumentParser
import Coordinator
import Core
import Foundation
import Wire

/// `distembed run SPEC --workers N`: the one-command path, like `torchrun`. Starts a coordinator and N worker
/// processes, submits the spec, shows progress, prints the results and stops everything it started.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a coordinator and N local workers, train the spec, print the results, stop them all.")

    @OptionGroup var specOptions: SpecOptions

    @Option(help: "Worker processes to start.")
    var workers = 2

    @Option(help: "How workers reach the coordinator: ipc (Unix socket) or tcp (loopback).")
    var transport: LocalCluster.Transport = .ipc

    @OptionGroup var output: ResultOptions

    @Option(help: "Have the coordinator serve Prometheus metrics over HTTP on HOST:PORT, e.g. 127.0.0.1:9464.")
    var metricsListen: String?

    @Flag(help: "Send weights and gradients in messages instead of shared memory (to measure the difference).")
    var noSharedMemory = false

    @Option(help: ArgumentHelp(
        "The coordinator's replica check: every this many steps and at each epoch's last step; 0: never.",
        valueName: "steps"))
    var replicaCheckInterval = CoordinatorOptions.defaults.replicaCheckInterval

    @Flag(help: "Leave the workers unpinned (by default each gets a CPU of its own when there are enough).")
    var noCpuBinding = false

    @OptionGroup var sweep: SeedsOption

    @Option(help: ArgumentHelp(
        "Say whether the weights' SHA-256 is this one (`make run` passes the exercise's published hash); exit 1 if not.",
        valueName: "hex"))
    var expectWeights: String?

    @Option(help: ArgumentHelp("Coordinator debug: deal chunks at random cut points and order.", visibility: .hidden))
    var shuffleSeed: UInt64?

    func validate() throws {
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1...64") }
        guard replicaCheckInterval >= 0 else {
            throw ValidationError("--replica-check-interval must be 0 (no checks) or a number of steps, not "
                + "\(replicaCheckInterval)")
        }
    }

    func run() throws {
        ShutdownSignal.install()
        let specText = try specOptions.text()
        let spec = try specOptions.load()
        let cluster = try LocalCluster(executable: URL(fileURLWithPath: CommandLine.executablePath))
        defer { cluster.stop() }
        var extra: [String] = []
        if let shuffleSeed { extra += ["--shuffle-seed", "\(shuffleSeed)"] }
        if let metricsListen { extra += ["--metrics-listen", metricsListen] }
        if noSharedMemory { extra.append("--no-shared-memory") }
        extra += ["--replica-check-interval", "\(replicaCheckInterval)"]
        try cluster.startCoordinator(
            transport: transport, data: spec.dataset.path, extra: extra)
        try cluster.startWorkers(workers, data: spec.dataset.path, bindCPUs: !noCpuBinding)
        Console.info("coordinator at \(cluster.endpoint), \(workers) worker\(workers == 1 ? "" : "s")")

        let client = try CoordinatorClient(endpoint: cluster.endpoint, timeout: .seconds(30))
        guard case .submitReply(let submitted) = try client.request(.submitRequest(SubmitRequest(
            specJSON: specText, overrides: specOptions.overrides,
            minWorkers: UInt32(workers), seeds: sweep.seeds ?? [])))
        else { throw CLIError.unexpectedReply(to: "submit") }
        if !submitted.sweepId.isEmpty {
            return try SweepRun(client: client, cluster: cluster, submitted: submitted, output: output).follow()
        }

        let summary = try ClusterFollow.follow(cluster: cluster, client: client, id: submitted.experimentId) { abort in
            var watcher = Watcher(client: client, id: submitted.experimentId)
            watcher.shouldAbort = abort
            return try watcher.follow()
        }
        var weights = ""
        try ResultsOutput.print(client: client, summary: summary, json: output.json) { result in
            result.peakResidentMB = cluster.peakResidentMB()
            weights = result.weightsSha256
            if let report = output.report { try ReportFile.write(result, to: report) }
        }
        if let out = output.out {
            try ArtifactsCopy.copy(from: cluster.storeFolder, experiment: submitted.experimentId, to: out)
        }
        if let expected = expectWeights?.lowercased() {
            guard weights == expected else {
                throw CLIError(.experimentFailed, "the weights' SHA-256 \(weights) is not the published \(expected). "
                    + "Every machine should print the published hash: please report this with your CPU model and the "
                    + "output of `distembed debug kernels`")
            }
            Console.info("the weights' SHA-256 is the published one: the same bits as on every other machine")
        }
    }
}

extension CommandLine {
    /// This executable's absolute path, to start the coordinator and workers from the same build.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}

/// `--out` for `run`: the coordinator keeps each finished experiment's files under `STORE/artifacts/ID/`.
enum ArtifactsCopy {
    static func copy(from store: URL, experiment: String, to out: String) throws {
        let source = store.appendingPathComponent("artifacts").appendingPathComponent(experiment)
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let target = URL(fileURLWithPath: out).appendingPathComponent(name)
            try? fm.removeItem(at: target)
            try fm.copyItem(at: source.appendingPathComponent(name), to: target)
        }
    }
}
