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
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
        } catch where error is ValidationError || error is ExitCode || error is CleanExit {
            // A mistake in the command line found while running (usage text, exit 64), or an explicit status.
            exit(withError: error)
        } catch {
            // Everything else happened at run time: one line, no usage text, the status of its kind.
            Console.info("error: \(error)")
            Foundation.exit(ExitStatus(of: error).rawValue)
        }
    }
}
