import CKernels
import Foundation

/// The cases of the cross-machine proof (`make verify-portable`): chunk gradients written out with everything
/// the C kernels compute them from, so a build of the same kernel source for another CPU (baseline x86-64 with
/// fma in software, aarch64 under qemu) recomputes each and must print the same hash.
///
/// The folder holds `layers.txt` (the input size and the parameter count, then one layer a line, as
/// `distembed_layer`'s fields) and one `NNNN-name.case` file per chunk: the row count, weights, input rows, labels
/// and dropout masks, little-endian. `Tests/Portable/net_check.c` reads them.
public enum PortableProof {
    /// One chunk: its name and the hash of its gradient and loss sum as this process computed them.
    public struct Case: Sendable {
        public var name: String
        public var hash: String
    }

    /// The hash both sides print: FNV-1a over the gradient's bytes, then the loss sum's (as a Double).
    public static func hash(gradient: UnsafeBufferPointer<Float>, lossSum: Double) -> String {
        var h = distembed_fnv1a64(0xcbf2_9ce4_8422_2325, gradient.baseAddress, gradient.count * 4)
        var bits = lossSum.bitPattern.littleEndian
        h = distembed_fnv1a64(h, &bits, 8)
        return String(format: "%016llx", h)
    }

    /// Writes `layers.txt` for `model`.
    public static func writeLayers(of model: Model, to folder: URL) throws {
        var text = "\(model.inputSize) \(model.parameterCount)\n"
        for layer in model.layers {
            let d = GradientEngine.describe(layer)
            let fields = [
                Int(d.kind), Int(d.relu), d.in_h, d.in_w, d.in_c, d.out_h, d.out_w, d.out_c, d.kernel, d.stride,
                d.pad_top, d.pad_left, d.inputs, d.units, d.kernel_offset, d.bias_offset,
            ]
            text += fields.map(String.init).joined(separator: " ") + "\n"
        }
        try text.write(to: folder.appendingPathComponent("layers.txt"), atomically: true, encoding: .utf8)
    }

    /// Computes one chunk gradient with `engine` and writes it as case `name`; returns its hash.
    public static func writeCase(
        _ name: String, engine: GradientEngine, weights: [Float], samples: ArraySlice<Int>, from data: ImageSet,
        keys: GradientEngine.DropoutKeys, to folder: URL
    ) throws -> Case {
        var gradient = [Float](repeating: 0, count: engine.model.parameterCount)
        var out = gradient.mutableSpan
        let stats = engine.chunkGradient(weights: weights.span, samples: samples, from: data, keys: keys, into: &out)
        let (input, masks) = engine.lastInputs(count: samples.count)
        var bytes = Data()
        func append<T>(_ values: [T]) { values.withUnsafeBytes { bytes.append(contentsOf: $0) } }
        append([UInt64(samples.count).littleEndian])
        append(weights)
        append(input)
        append(samples.map { UInt32(data.labels[$0]) })
        for mask in masks { append(mask) }
        try bytes.write(to: folder.appendingPathComponent(name + ".case"))
        return Case(name: name, hash: gradient.withUnsafeBufferPointer { hash(gradient: $0, lossSum: stats.lossSum) })
    }

    /// The probe of ``KernelFingerprint`` and every chunk of `trainer`'s run (cross-entropy stages), written to
    /// `folder`; returns the cases in order. Trains `trainer` as a side effect.
    public static func write(trainer: LocalTrainer, to folder: URL) throws -> [Case] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = trainer.run.model
        try writeLayers(of: model, to: folder)
        let probe = KernelFingerprint.Probe()
        precondition(
            probe.model.parameterCount == model.parameterCount && probe.model.layers.count == model.layers.count,
            "the cases share one layers.txt: train the probe's network (experiments/exercise4.json)")
        var cases = [try writeCase(
            "0000-probe", engine: GradientEngine(model: probe.model, capacity: probe.samples.count),
            weights: probe.weights, samples: probe.samples[...], from: probe.data, keys: probe.keys, to: folder)]
        let schedule = trainer.run.schedule
        let engine = GradientEngine(model: model, capacity: schedule.chunkSize)
        var index = 1
        var failure: Error?
        _ = try trainer.train(beforeStep: { epoch, step, order, weights in
            guard failure == nil else { return }
            let keys = GradientEngine.DropoutKeys(seed: schedule.seed, epoch: epoch)
            for chunk in 0..<schedule.chunkCount(step: step) {
                let name = String(format: "%04d-epoch%d-step%d-chunk%d", index, epoch, step, chunk)
                do {
                    cases.append(try writeCase(
                        name, engine: engine, weights: weights, samples: order[schedule.chunk(chunk, ofStep: step)],
                        from: trainer.run.dataset.train, keys: keys, to: folder))
                } catch {
                    failure = error
                }
                index += 1
            }
        })
        if let failure { throw failure }
        return cases
    }
}
