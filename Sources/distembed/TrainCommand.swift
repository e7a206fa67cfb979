import ArgumentParser
import Core
import Foundation

/// `distembed train SPEC --local`: the whole experiment in this process, no networking.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spec in this process and report metrics, embedding losses and the weights hash.")

    @OptionGroup var specOptions: SpecOptions

    @Flag(help: "Train in this process (the only mode of `train`; `run` distributes).")
    var local = false

    @Flag(help: "Print the result as one JSON object on the last line of stdout.")
    var json = false

    @Option(help: "Write embeddings (.npy), labels and final weights to this folder.")
    var out: String?

    @Option(help: "Also write a self-contained HTML report here.")
    var report: String?

    func validate() throws {
        guard local else {
            throw ValidationError("`train` runs in one process: pass --local, or use `distembed run` for workers")
        }
    }

    func run() throws {
        let spec = try specOptions.load()
        let dataset = try DatasetLoading.load(spec)
        let experiment = try LocalExperiment(spec: spec, dataset: dataset)
        let result = try experiment.run { Console.info(EpochLine.text($0, of: spec.training.epochs)) }
        if let out { try experiment.artifacts.write(to: out) }
        if let report { try ReportFile.write(result, to: report) }
        if json {
            try Console.json(result)
        } else {
            Console.out(ResultPrinter.text(result))
        }
    }
}

/// Dataset loading with errors a user can act on.
enum DatasetLoading {
    static func load(_ spec: ExperimentSpec) throws -> Dataset {
        try load(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: spec.dataset.testLimit)
    }

    static func load(folder: String, trainLimit: Int, testLimit: Int = 0) throws -> Dataset {
        do {
            return try Dataset(folder: folder, trainLimit: trainLimit, testLimit: testLimit)
        } catch {
            throw ValidationError("dataset: \(error)")
        }
    }
}
