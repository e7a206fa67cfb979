import ArgumentParser
import Core
import Foundation

/// The spec file and its `--set` overrides, shared by every command that takes a spec.
struct SpecOptions: ParsableArguments {
    @Argument(help: "The experiment spec (JSON), e.g. experiments/exercise4.json.")
    var spec: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a spec field, e.g. --set training.epochs=2 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    /// The spec file's text, as it is sent to a coordinator.
    func text() throws -> String {
        guard let data = FileManager.default.contents(atPath: spec) else {
            throw CLIError(.notFound, "cannot read the spec file \(spec): check the path")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The parsed spec, or an error that lists every problem by field path and says whether it came from a
    /// `--set` or from the file.
    /// - Parameter limits: the largest sizes accepted (``SpecLimits/maximum`` where a coordinator applies its own).
    func load(limits: SpecLimits = .defaults) throws -> ExperimentSpec {
        let json = try text()
        do {
            return try ExperimentSpec.parse(json: json, overrides: overrides, limits: limits)
        } catch {
            throw CLIError(.badData, error.described(file: spec, overrides: overrides))
        }
    }
}
