import ArgumentParser
import Core

/// The spec file and its `--set` overrides, shared by every command that takes a spec.
struct SpecOptions: ParsableArguments {
    @Argument(help: "The experiment spec (JSON), e.g. experiments/exercise4.json.")
    var spec: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a spec field, e.g. --set training.epochs=2 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    /// The parsed spec, or a validation error that lists every problem by field path.
    /// - Parameter limits: the largest sizes accepted (``SpecLimits/maximum`` where a coordinator applies its own).
    func load(limits: SpecLimits = .defaults) throws -> ExperimentSpec {
        do {
            return try ExperimentSpec.load(path: spec, overrides: overrides, limits: limits)
        } catch {
            throw ValidationError("\(spec): \(error)")
        }
    }
}
