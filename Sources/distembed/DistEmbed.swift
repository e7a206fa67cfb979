import ArgumentParser
import Foundation

/// The `distembed` command: thin argument parsing over the Core, Wire, Coordinator and Worker libraries.
@main
struct DistEmbed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distembed",
        abstract: "Deterministic data-parallel training of a small CNN, and the embedding losses of Exercise 4.",
        subcommands: [
            Run.self,
            Train.self,
            CoordinatorCommand.self,
            WorkerCommand.self,
            Submit.self,
            List.self,
            Status.self,
            Watch.self,
            Cancel.self,
            Results.self,
            Summary.self,
            EvalEmbeddings.self,
            Keygen.self,
            DebugCommands.self,
        ]
    )

    static func main() async {
        let arguments = EnvironmentOptions.merge(
            Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, root: self)
        await main(arguments)
    }
}
