import ArgumentParser
import Foundation

/// `DISTEMBED_*` environment variables as options, so containers and systemd units need no wrapper scripts:
/// `DISTEMBED_STORE=/var/lib/distembed distembed coordinator` is `distembed coordinator --store /var/lib/distembed`.
/// The name is the option's long name in capitals with `_` for `-`; a flag takes `1`/`true`/`yes`; a repeatable
/// option takes a comma-separated list. Options given on the command line win.
enum EnvironmentOptions {
    static let prefix = "DISTEMBED_"

    /// The command line with the options the environment supplies for the chosen subcommand appended.
    static func merge(_ arguments: [String], environment: [String: String], root: ParsableCommand.Type)
        -> [String]
    {
        guard let name = arguments.first,
            let subcommand = root.configuration.subcommands.first(where: { $0._commandName == name })
        else { return arguments }
        let help = root.helpMessage(for: subcommand, columns: 1000)
        var extra: [String] = []
        for key in environment.keys.sorted() where key.hasPrefix(prefix) {
            let option = "--" + key.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: "-")
            guard !arguments.contains(where: { $0 == option || $0.hasPrefix(option + "=") }) else { continue }
            let value = environment[key]!
            if help.contains("\(option) <") {
                for part in value.split(separator: ",") { extra += [option, String(part)] }
            } else if help.contains("\(option) ") || help.contains("\(option)\n"),
                ["1", "true", "yes"].contains(value.lowercased())
            {
                extra.append(option)
            }
        }
        return arguments + extra
    }
}
