import ArgumentParser
import Core

/// `--json`, `--out DIR` and `--report FILE.html`: what `train` and `run` do with a finished result.
struct ResultOptions: ParsableArguments {
    @Flag(help: "Print the result as one JSON object on the last line of stdout.")
    var json = false

    @Option(help: "Write embeddings (.npy), labels and final weights to this folder.")
    var out: String?

    @Option(help: "Also write a self-contained HTML report here.")
    var report: String?

    /// Prints the result as JSON or as text.
    func print(_ result: TrainingResult) throws {
        if json {
            try Console.json(result)
        } else {
            Console.out(ResultPrinter.text(result))
        }
    }
}
