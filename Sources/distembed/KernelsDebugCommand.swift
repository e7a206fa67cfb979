import ArgumentParser
import Core

/// `distembed debug kernels`: the step's parts timed against this machine's FMA peak.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels", abstract: "Time the chunk gradient, Adam, the tree sum and the losses.")

    @Option(help: "The Fashion-MNIST folder.")
    var data = DatasetSpec.defaultPath

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        MemoryTuning.keepLargeBuffersInHeap()
        let dataset = try DatasetLoading.load(folder: data, trainLimit: 10_000)
        let peak = KernelBenchmark.fmaPeak()
        var rows = [peak]
        rows += try KernelBenchmark.exerciseKernels(data: dataset.train)
        rows.append(try KernelBenchmark.lossEvaluation())
        if json { return try Console.json(rows) }
        for row in rows {
            var line = row.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: "%12.1f µs", row.microseconds)
            if let g = row.gflops {
                line += String(format: "  %6.1f GFLOP/s", g)
                if row.name != peak.name { line += String(format: "  (%.0f%% of peak)", 100 * g / peak.gflops!) }
            }
            Console.out(line)
        }
    }
}
