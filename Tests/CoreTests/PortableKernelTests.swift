import CKernels
import Core
import Foundation
import Testing

/// The same bits on every CPU (Docs/Determinism.md, "The same bits on every machine"): every vector path gives
/// the scalar path's bits, and this machine computes the hashes published for this release. The other parts of
/// the proof (a baseline x86-64 build with fma in software, aarch64 under qemu) are `make verify-portable`.
@Suite(.serialized) struct PortableKernelTests {
    /// The release's published hashes: the probe chunk gradient (``KernelFingerprint``), and the weights after the
    /// short run (experiments/exercise4.json, 1 epoch of 1,000 samples). A new release that changes the
    /// arithmetic changes them, and says so in its notes.
    static let publishedFingerprint = "ec0af353d9e562da"
    static let publishedShortRun = "81c0bdda63b45aa8b0d74b209c0d756e068880219198d2939eb1e6536a2b2c8b"
    static let shortRun = ["training.epochs=1", "dataset.trainLimit=1000", "dataset.testLimit=100"]

    static func shortRunWeights() throws -> String {
        let spec = try ExperimentSpec.load(
            path: Fixture.repositoryRoot + "/experiments/exercise4.json", overrides: shortRun)
        let dataset = try Dataset(folder: spec.dataset.path, trainLimit: spec.dataset.trainLimit, testLimit: 100)
        let trainer = try LocalTrainer(spec: spec, dataset: dataset)
        _ = try trainer.train()
        return WeightsHash.sha256(trainer.run.weights)
    }

    /// Runs `body` on each path this machine has, scalar first, and restores the path it found.
    static func onEveryPath<T>(_ body: () throws -> T) rethrows -> [(KernelPath, T)] {
        let found = KernelPath.active
        defer { KernelPath.select(found) }
        return try KernelPath.available.map { path in
            #expect(KernelPath.select(path))
            return (path, try body())
        }
    }

    @Test func thisMachineHasAVectorPath() {
        #expect(KernelPath.available.first == .scalar)
        #expect(KernelPath.available.count >= 2, "only \(KernelPath.available): the vector paths are untested here")
    }

    /// A product's size: small and odd most of the time, large every tenth trial.
    static func randomSize(trial: Int, using random: inout some RandomNumberGenerator) -> (m: Int, n: Int, k: Int) {
        let big = trial % 10 == 0
        return (
            Int.random(in: big ? 200...400 : 0...40, using: &random),
            Int.random(in: big ? 50...140 : 0...40, using: &random),
            Int.random(in: big ? 200...320 : 0...40, using: &random)
        )
    }

    /// Runs `product` on C (starting as `c0`, `m` rows `ldc` apart) on every path, and expects every path's bits to
    /// be the scalar path's and the scalar path's to be the definition: one fused multiply-add chain over
    /// `a(i, p) · b(p, j)` per element, in the order of p.
    static func expectEveryPathIsTheFMAChain(
        m: Int, n: Int, k: Int, c0: [Float], ldc: Int, accumulate: Bool, shape: String,
        a: (Int, Int) -> Float, b: (Int, Int) -> Float, product: (inout [Float]) -> Void
    ) {
        let results = onEveryPath { () -> [UInt32] in
            var c = c0
            product(&c)
            return c.map(\.bitPattern)
        }
        let scalar = results[0].1
        for (path, bits) in results.dropFirst() {
            #expect(bits == scalar, "\(path) differs from scalar: \(shape)")
        }
        var reference = c0
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = accumulate ? c0[i * ldc + j] : 0
                for p in 0..<k { acc = acc.addingProduct(a(i, p), b(p, j)) }
                reference[i * ldc + j] = acc
            }
        }
        #expect(reference.map(\.bitPattern) == scalar, "scalar is not the fma chain: \(shape)")
    }

    /// Random shapes and odd sizes, both transposes, with and without accumulation, over values that include
    /// zeros of both signs, subnormals and large magnitudes: every path's bits are the scalar path's, padding
    /// included.
    @Test func everyPathGivesTheScalarBitsOnRandomProducts() {
        var random = SystemRandomNumberGenerator()
        var seeded = SeededFloats(seed: 18)
        for trial in 0..<80 {
            let (m, n, k) = Self.randomSize(trial: trial, using: &random)
            let transA = Bool.random(using: &random), transB = Bool.random(using: &random)
            let accumulate = Bool.random(using: &random)
            let lda = (transA ? m : k) + Int.random(in: 0...3, using: &random)
            let ldb = (transB ? k : n) + Int.random(in: 0...3, using: &random)
            let ldc = n + Int.random(in: 0...3, using: &random)
            let a = seeded.next(count: max((transA ? k : m) * lda, 1))
            let b = seeded.next(count: max((transB ? n : k) * ldb, 1))
            Self.expectEveryPathIsTheFMAChain(
                m: m, n: n, k: k, c0: seeded.next(count: max(m * ldc, 1)), ldc: ldc, accumulate: accumulate,
                shape: "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) accumulate \(accumulate)",
                a: { i, p in transA ? a[p * lda + i] : a[i * lda + p] },
                b: { p, j in transB ? b[j * ldb + p] : b[p * ldb + j] }
            ) { c in
                distembed_gemm(m, n, k, a, transA ? 1 : 0, lda, b, transB ? 1 : 0, ldb, &c, ldc, accumulate ? 1 : 0)
            }
        }
    }

    /// The products a convolution takes straight from its image, A read through a table of row offsets and one of
    /// column offsets that overlap as patches do: every path's bits are the scalar path's, and the scalar path's
    /// are the fused multiply-add chain of the definition.
    @Test func everyPathGivesTheScalarBitsOnGatheredProducts() {
        var random = SystemRandomNumberGenerator()
        var seeded = SeededFloats(seed: 12)
        for trial in 0..<60 {
            let (m, n, k) = Self.randomSize(trial: trial, using: &random)
            let span = Int.random(in: 1...300, using: &random)
            let rowOffsets = (0..<max(m, 1)).map { _ in Int.random(in: 0..<span, using: &random) }
            let columnOffsets = (0..<max(k, 1)).map { _ in Int.random(in: 0..<span, using: &random) }
            let accumulate = Bool.random(using: &random)
            let ldb = n + Int.random(in: 0...3, using: &random)
            let ldc = n + Int.random(in: 0...3, using: &random)
            let a = seeded.next(count: 2 * span)
            let b = seeded.next(count: max(k * ldb, 1))
            Self.expectEveryPathIsTheFMAChain(
                m: m, n: n, k: k, c0: seeded.next(count: max(m * ldc, 1)), ldc: ldc, accumulate: accumulate,
                shape: "m \(m) n \(n) k \(k) span \(span) accumulate \(accumulate)",
                a: { i, p in a[rowOffsets[i] + columnOffsets[p]] }, b: { p, j in b[p * ldb + j] }
            ) { c in
                distembed_gemm_gathered(m, n, k, a, rowOffsets, columnOffsets, b, ldb, &c, ldc, accumulate ? 1 : 0)
            }
        }
    }

    /// The probe chunk gradient and the short run give the same bits on every path.
    @Test func everyPathGivesTheSameProbeAndShortRun() throws {
        let results = try Self.onEveryPath { (KernelFingerprint.compute(), try Self.shortRunWeights()) }
        for (path, hashes) in results.dropFirst() {
            #expect(hashes == results[0].1, "\(path) differs from scalar")
        }
    }

    /// The hashes this release publishes, computed here: whatever the CPU, they must be equal.
    @Test func thisMachineComputesThePublishedHashes() throws {
        #expect(KernelFingerprint.current == Self.publishedFingerprint, "on \(KernelPath.machine)")
        #expect(try Self.shortRunWeights() == Self.publishedShortRun, "on \(KernelPath.machine)")
    }

    /// The README publishes the exercise's hash that `make run` compares against.
    @Test func readmePublishesTheExerciseHash() throws {
        let hash = try String(contentsOfFile: Fixture.repositoryRoot + "/experiments/exercise4.sha256", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hash.count == 64 && hash.allSatisfy(\.isHexDigit))
        let readme = try String(contentsOfFile: Fixture.repositoryRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains(hash))
    }

    /// Our exp and log against the correctly rounded value (from Double) on a million spread inputs and the
    /// special cases: under one ulp everywhere (the exhaustive check is Tests/Portable/exp_log_check.c).
    @Test func expAndLogAreWithinAnUlp() {
        func ulps(_ x: Float, _ reference: Double) -> Double {
            let r = Float(reference)
            guard r.isFinite, x.isFinite else { return x == r || (x.isNaN && r.isNaN) ? 0 : .infinity }
            return abs(Double(x) - reference) / Double(max(r.ulp, Float.leastNonzeroMagnitude))
        }
        var worstExp = 0.0, worstLog = 0.0
        for i in stride(from: UInt32(0), to: UInt32.max - 4_294, by: 4_294) {
            let x = Float(bitPattern: i)
            guard x.isFinite else { continue }
            if abs(x) < 88 { worstExp = max(worstExp, ulps(distembed_expf(x), Foundation.exp(Double(x)))) }
            if x > 0 { worstLog = max(worstLog, ulps(distembed_logf(x), Foundation.log(Double(x)))) }
        }
        #expect(worstExp < 1, "exp: \(worstExp) ulp")
        #expect(worstLog < 1, "log: \(worstLog) ulp")
        #expect(distembed_expf(0) == 1 && distembed_logf(1) == 0)
        #expect(distembed_expf(.infinity) == .infinity && distembed_expf(-.infinity) == 0)
        #expect(distembed_expf(100) == .infinity && distembed_expf(-110) == 0)
        #expect(distembed_expf(.nan).isNaN && distembed_logf(.nan).isNaN && distembed_logf(-1).isNaN)
        #expect(distembed_logf(0) == -.infinity && distembed_logf(.infinity) == .infinity)
    }
}

/// Reproducible test floats with the awkward values mixed in: zeros of both signs, subnormals, large numbers.
struct SeededFloats {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func word() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(count: Int) -> [Float] {
        (0..<count).map { _ in
            let w = word()
            switch w % 64 {
            case 0: return 0
            case 1: return -0.0
            case 2: return Float(bitPattern: UInt32(truncatingIfNeeded: w >> 32) & 0x807F_FFFF)
            case 3: return Float(bitPattern: 0x5F00_0000 | UInt32(truncatingIfNeeded: w >> 40))
            default: return Float(Int64(bitPattern: w) >> 40) / Float(1 << 22)
            }
        }
    }
}
