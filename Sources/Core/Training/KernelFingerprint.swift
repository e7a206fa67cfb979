import Crypto

/// The hash of a fixed probe computation: one chunk gradient of the exercise's network on synthetic images.
///
/// The kernels give the same bits on every CPU, so the fingerprint is the same on every machine running one
/// release (the test suite checks it against the published value). The coordinator still compares it at
/// handshake: a worker whose fingerprint differs has found a bug, or runs another release.
public enum KernelFingerprint {
    /// Computed once per process (a few milliseconds).
    public static let current: String = compute()

    /// The probe's network, weights, images and dropout keys.
    public struct Probe {
        public let model: Model
        public let weights: [Float]
        public let data: ImageSet
        public let samples: [Int]
        public let keys: GradientEngine.DropoutKeys

        public init() {
            let spec = ModelSpec(input: [28, 28, 1], layers: [
                .conv2d(filters: 32, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
                .conv2d(filters: 64, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
                .conv2d(filters: 64, kernel: 3, stride: 2, padding: .valid, activation: .relu, name: nil),
                .flatten(name: nil),
                .dense(units: 64, activation: .relu, name: "embedding"),
                .dropout(rate: 0.25, name: nil),
                .dense(units: 10, activation: .softmax, name: nil),
            ])
            model = try! Model(spec)
            let count = 8
            let philox = Philox(seed: 0x6469_7374_656d_6264)
            let tag = RandomStream.probe.tag()
            let pixels = (0..<(count * 784)).map {
                UInt8(truncatingIfNeeded: philox.word((tag, UInt32($0), 0, 0), lane: 0))
            }
            data = ImageSet(pixels: pixels, labels: (0..<count).map { Int32($0) }, height: 28, width: 28)
            weights = GlorotInitializer.weights(for: model, seed: 0x70726f6265)
            samples = Array(0..<count)
            keys = .init(seed: 1, epoch: 0)
        }
    }

    /// The probe's chunk gradient and loss, hashed: the first 16 hex digits of their SHA-256.
    public static func compute() -> String {
        let probe = Probe()
        var gradient = [Float](repeating: 0, count: probe.model.parameterCount)
        let engine = GradientEngine(model: probe.model, capacity: probe.samples.count)
        var out = gradient.mutableSpan
        let stats = engine.chunkGradient(
            weights: probe.weights.span, samples: probe.samples[...], from: probe.data, keys: probe.keys, into: &out)
        var hasher = SHA256()
        gradient.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: stats.lossSum.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
        return String(hasher.finalize().hex.prefix(16))
    }
}
