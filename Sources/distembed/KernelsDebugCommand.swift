import ArgumentParser
import Core
import KernelBenchmarks

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
        // On an AVX-512 machine, the AVX2 peak too: what the kernels would reach on a CPU without AVX-512.
        if KernelPath.active == .avx512 { rows.append(KernelBenchmark.fmaPeak(.avx2)) }
        rows += try KernelBenchmark.exerciseKernels(data: dataset.train)
        rows += try KernelBenchmark.runByLayer(data: dataset.train)
        rows.append(try KernelBenchmark.lossEvaluation())
        if json { return try Console.json(rows) }
        Console.out("kernels: \(KernelPath.machine)")
        for row in rows {
            var line = row.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + (row.microseconds > 0 ? String(format: "%12.1f µs", row.microseconds) : String(repeating: " ", count: 15))
            if let g = row.gflops {
                line += String(format: "  %6.1f GFLOP/s", g)
                if !row.name.hasPrefix("fma peak") {
                    line += String(format: "  (%.0f%% of the %@ peak)", 100 * g / peak.gflops!, "\(KernelPath.active)")
                }
            }
            Console.out(line)
        }
    }
}
