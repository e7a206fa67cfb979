import ArgumentParser
import Core
import Foundation

/// `distembed debug portable-cases SPEC --out DIR`: trains SPEC in this process and writes the probe and every
/// chunk of the run for `Tests/Portable/net_check.c` to recompute on another build (`make verify-portable`).
/// Prints one `hash NAME HEX` line per chunk, then the run's weights hash.
struct PortableCasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portable-cases", abstract: "Write the chunks of a short run for the cross-machine proof.")

    @OptionGroup var specOptions: SpecOptions

    @Option(help: "The folder to write the cases into.")
    var out: String

    func run() throws {
        let spec = try specOptions.load()
        let trainer = try LocalTrainer(spec: spec, dataset: try DatasetLoading.load(spec))
        let cases = try PortableProof.write(trainer: trainer, to: URL(fileURLWithPath: out))
        for c in cases { Console.out("hash \(c.name) \(c.hash)") }
        Console.out("weights \(WeightsHash.sha256(trainer.run.weights))")
    }
}
