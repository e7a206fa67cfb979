import ArgumentParser
import Core
import Foundation

/// `distembed eval-embeddings`: the exercise's contrastive and triplet losses of saved embeddings.
struct EvalEmbeddings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-embeddings",
        abstract: "Evaluate the exercise's contrastive and triplet losses of embeddings saved as .npy files.",
        discussion: """
            Seeds CPython's random generator once, then runs contrastive and then triplet on the same stream, \
            exactly as Exercise 4 does after random.seed(1). Input or data problems print one line on stderr \
            and exit with status 65.
            """)

    @Option(help: ArgumentHelp("2-D float32 or float64 .npy file: one embedding per row.", valueName: "E.npy"))
    var embeddings: String

    @Option(help: ArgumentHelp("1-D .npy file of integer class ids, one per embedding row.", valueName: "L.npy"))
    var labels: String

    @Option(help: "The random.seed value the draws start from.")
    var seed: Int = 1

    /// Unconditional parsing takes `--margin -1` as a value, so its check below can say what is wrong with it.
    @Option(parsing: .unconditional, help: "The margin m of both losses (positive).")
    var margin: Double = 1

    @Flag(help: "Print the losses as one JSON object on the last stdout line.")
    var json = false

    func validate() throws {
        guard margin > 0, margin.isFinite else {
            throw ValidationError("--margin must be a positive number (the losses' m), got \(margin)")
        }
    }

    func run() throws {
        let losses: (contrastive: Double, triplet: Double)
        let matrix: EmbeddingLosses.Matrix
        do {
            matrix = try EmbeddingLosses.Matrix(NPYReader.read(path: embeddings))
            let classIDs = try EmbeddingLosses.labels(NPYReader.read(path: labels))
            losses = try EmbeddingLosses.evaluate(embeddings: matrix, labels: classIDs, seed: seed, margin: margin)
        } catch let error as NPYError {
            throw fail(error.description)
        } catch let error as EmbeddingLossError {
            throw fail(error.description)
        }
        if json {
            // Swift prints the shortest decimal that reads back as the same Double, as Python's repr does.
            print("{\"contrastive\": \(losses.contrastive), \"triplet\": \(losses.triplet)}")
        } else {
            let type = if case .float32 = matrix.values { "float32" } else { "float64" }
            print("\(matrix.rows) embeddings of \(matrix.columns) dimensions (\(type)), seed \(seed), margin \(margin)")
            print("contrastive: \(losses.contrastive)")
            print("triplet:     \(losses.triplet)")
        }
    }

    /// Prints `message` as one line on stderr and returns the exit code for bad input.
    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(ExitStatus.badData.rawValue)
    }
}
