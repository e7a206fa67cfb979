import ArgumentParser

/// Hidden tools for tests and benchmarks.
struct DebugCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Tools for tests and benchmarks.", shouldDisplay: false,
        subcommands: [WireEchoCommand.self, WireBenchCommand.self, KernelsCommand.self, PortableCasesCommand.self])
}
