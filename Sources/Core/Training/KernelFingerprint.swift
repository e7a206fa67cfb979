import Crypto

/// The hash of a fixed probe computation: one chunk gradient of the exercise's network on synthetic images.
/// Workers whose kernels (OpenBLAS build, CPU code path, compiler flags) would round differently report
/// different fingerprints, and the coordinator refuses to mix them in one experiment (determinism contract 4).
public enum KernelFingerprint {
    /// Computed once per process (a few milliseconds).
    public static let current: String = compute()

    static func compute() -> String {
        let spec = ModelSpec(input: [28, 28, 1], layers: [
            .conv2d(filters: 32, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
            .conv2d(filters: 64, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
            .conv2d(filters: 64, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
            .flatten(name: nil),
            .dense(units: 64, activation: .relu, name: "embedding"),
            .dropout(rate: 0.25, name: nil),
            .dense(units: 10, activation: .softmax, name: nil),
        ])
        let model = try! Model(spec)
        let samples = 8
        let philox = Philox(seed: 0x6469_7374_656d_6264)
        let tag = RandomStream.probe.tag()
        let pixels = (0..<(samples * 784)).map { UInt8(truncatingIfNeeded: philox.word((tag, UInt32($0), 0, 0), lane: 0)) }
        let data = ImageSet(pixels: pixels, labels: (0..<samples).map { UInt8($0) }, height: 28, width: 28)
        let weights = GlorotInitializer.weights(for: model, seed: 0x70726f6265)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        let engine = GradientEngine(model: model, capacity: samples)
        let stats = weights.withUnsafeBufferPointer { w in
            gradient.withUnsafeMutableBufferPointer { g in
                engine.chunkGradient(
                    weights: w.baseAddress!, samples: Array(0..<samples)[...], from: data,
                    keys: .init(seed: 1, epoch: 0), into: g.baseAddress!)
            }
        }
        var hasher = SHA256()
        gradient.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: stats.lossSum.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
        return String(hasher.finalize().hex.prefix(16))
    }
}
