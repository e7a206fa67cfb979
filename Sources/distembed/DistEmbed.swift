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
            // Parsed as ArgumentParser's own async main parses, so a command runs on the thread it runs on there.
            // Run on the main thread instead, coordinators that the tests start ignored SIGTERM (their signals
            // were blocked), and DiskFullTests failed.
            command = try await asyncParseAsRoot(arguments)
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
        } catch where isArgumentParsers(error) {
            // `--help` (its command runs to print it), a check of the command line found while running, or an
            // explicit exit status.
            exit(withError: error)
        } catch {
            // Everything else happened at run time: one line, no usage text, the status of its kind.
            Console.info("error: \(error)")
            Foundation.exit(ExitStatus(of: error).rawValue)
        }
    }

    /// Whether ArgumentParser made `error` (`CommandError`, which carries `--help`, is not public) or it is one of
    /// its types a command throws (`ValidationError`, `ExitCode`, `CleanExit`): ArgumentParser prints those itself.
    private static func isArgumentParsers(_ error: Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
