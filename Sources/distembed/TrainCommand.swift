import ArgumentParser
import Core
import Foundation

/// `distembed train SPEC`: the whole experiment in this process, no networking.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spec in this process and report metrics, embedding losses and the weights hash.")

    @OptionGroup var specOptions: SpecOptions

    /// Accepted so that older command lines keep working; `train` always runs in this process.
    @Flag(help: ArgumentHelp("Train in this process (always so; `run` distributes).", visibility: .hidden))
    var local = false

    @OptionGroup var output: ResultOptions

    @OptionGroup(title: "Spec limits") var specLimits: SpecLimitOptions

    func run() throws {
        let spec = try specOptions.load(limits: specLimits.limits)
        let dataset = try DatasetLoading.load(spec)
        let experiment = try LocalExperiment(spec: spec, dataset: dataset)
        let result = try experiment.run { Console.info(EpochLine.text($0, of: spec.training)) }
        if let out = output.out { try experiment.artifacts.write(to: out) }
        if let report = output.report { try ReportFile.write(result, to: report) }
        try output.print(result)
    }
}

/// Dataset loading with errors a user can act on.
enum DatasetLoading {
    static func load(_ spec: ExperimentSpec) throws -> Dataset {
        try load(elsewhere: "or point dataset.path at the folder that holds them: --set dataset.path=DIR") {
            () throws(DatasetError) in try Dataset(spec: spec.dataset)
        }
    }

    /// The IDX set in `folder`.
    static func load(folder: String, trainLimit: Int, testLimit: Int = 0) throws -> Dataset {
        try load(elsewhere: "pass --data DIR") { () throws(DatasetError) in
            try Dataset(folder: folder, trainLimit: trainLimit, testLimit: testLimit)
        }
    }

    /// - Parameter elsewhere: how to name another folder, added to the error.
    private static func load(elsewhere: String, _ read: () throws(DatasetError) -> Dataset) throws -> Dataset {
        do {
            return try read()
        } catch {
            throw CLIError(.badData, "dataset: \(error) (\(elsewhere))")
        }
    }
}
