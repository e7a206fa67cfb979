import Core
import Foundation
import Testing

/// The exercise's two functions written as literally as Swift allows: `np.where` by scanning every label per
/// anchor (quadratic), sums in index order. Only the draws and the formulas must agree with the real thing.
private enum QuadraticReference {
    static func normalised(_ values: [Double]) -> [Double] {
        let minimum = values.min()!
        let maximum = values.max()!
        return values.map { ($0 - minimum) / (maximum - minimum) }
    }

    static func distance(_ y: [Double], _ columns: Int, _ a: Int, _ b: Int) -> Double {
        (0..<columns).reduce(0) { sum, k in
            let difference = y[a * columns + k] - y[b * columns + k]
            return sum + difference * difference
        }
    }

    static func contrastive(
        _ values: [Double], _ columns: Int, _ labels: [Int], margin: Double, _ rng: inout PythonRandom
    ) -> Double {
        let y = normalised(values)
        let size = labels.count
        var total = 0.0
        for i in 0..<size {
            var ind = i
            while ind == i {
                ind = rng.randint(0, size - 1)
            }
            let d = distance(y, columns, i, ind)
            total += labels[ind] == labels[i] ? d / 2 : max(0, margin - d) / 2
        }
        return total / Double(size)
    }

    static func triplet(
        _ values: [Double], _ columns: Int, _ labels: [Int], margin: Double, _ rng: inout PythonRandom
    ) -> Double {
        let y = normalised(values)
        let size = labels.count
        var total = 0.0
        for i in 0..<size {
            let positives = labels.indices.filter { labels[$0] == labels[i] }
            let negatives = labels.indices.filter { labels[$0] != labels[i] }
            let p = positives[rng.randint(0, positives.count - 1)]
            let n = negatives[rng.randint(0, negatives.count - 1)]
            total += max(0, margin + distance(y, columns, i, p) - distance(y, columns, i, n))
        }
        return total / Double(size)
    }
}

/// Random embeddings and labels for property tests, drawn from a seeded `PythonRandom`.
private struct RandomSet {
    var rows: Int
    var columns: Int
    var values: [Double]
    var labels: [Int]

    init(seed: Int, rows: Int, columns: Int, classes: Int) {
        var rng = PythonRandom(seed: seed)
        // Sparse, unordered class ids, some negative; ReLU-like values with exact zeros, like a real embedding.
        let ids = (0..<classes).map { $0 * 37 - 50 }
        self.rows = rows
        self.columns = columns
        values = (0..<(rows * columns)).map { _ in max(0, Double(rng.getrandbits(53)) / 0x1p53 * 4 - 1) }
        labels = (0..<rows).map { _ in ids[rng.randbelow(classes)] }
        labels[0] = ids[0]
        labels[rows - 1] = ids[classes - 1]
    }

    var float64: EmbeddingLosses.Matrix {
        get throws { try EmbeddingLosses.Matrix(rows: rows, columns: columns, values: .float64(values)) }
    }
}

@Suite("Embedding losses")
struct EmbeddingLossTests {
    private func matrix(_ rows: [[Double]]) throws -> EmbeddingLosses.Matrix {
        try EmbeddingLosses.Matrix(
            rows: rows.count, columns: rows.first?.count ?? 0, values: .float64(rows.flatMap { $0 }))
    }

    @Test("two samples: hand-computed losses, with the exercise's margin and another")
    func handComputed() throws {
        // Normalised rows (0, 0) and (1, 1) are at squared distance 2; each anchor's only partner is the other row,
        // and triplet's only positive is the anchor itself.
        let embeddings = try matrix([[-3, -3], [5, 5]])
        let exercise = try EmbeddingLosses.evaluate(embeddings: embeddings, labels: [0, 1])
        #expect(exercise.contrastive == 0)
        #expect(exercise.triplet == 0)
        let wide = try EmbeddingLosses.evaluate(embeddings: embeddings, labels: [0, 1], margin: 3)
        #expect(wide.contrastive == 0.5)  // max(0, 3 - 2) / 2 per anchor
        #expect(wide.triplet == 1)  // max(0, 3 + 0 - 2) per anchor
        var rng = PythonRandom(seed: 1)
        #expect(try EmbeddingLosses.contrastive(embeddings: embeddings, labels: [4, 4], using: &rng) == 1)  // 2 / 2
    }

    @Test(
        "the indexed version makes the quadratic version's draws (float64 inputs)",
        arguments: [(2, 2), (3, 2), (17, 2), (30, 25), (50, 3), (50, 10), (300, 2), (300, 7), (500, 50)])
    func matchesQuadratic(rows: Int, classes: Int) throws {
        let set = RandomSet(seed: rows * 1000 + classes, rows: rows, columns: 9, classes: classes)
        for (seed, margin) in [(1, 1.0), (42, 0.25), ((1 << 40) + 3, 2.5)] {
            let losses = try EmbeddingLosses.evaluate(
                embeddings: set.float64, labels: set.labels, seed: seed, margin: margin)
            var rng = PythonRandom(seed: seed)
            let contrastive = QuadraticReference.contrastive(set.values, set.columns, set.labels, margin: margin, &rng)
            let triplet = QuadraticReference.triplet(set.values, set.columns, set.labels, margin: margin, &rng)
            #expect(abs(losses.contrastive - contrastive) < 1e-12, "rows \(rows), seed \(seed)")
            #expect(abs(losses.triplet - triplet) < 1e-12, "rows \(rows), seed \(seed)")
        }
    }

    @Test("evaluate is contrastive then triplet on one stream seeded once")
    func sharedStream() throws {
        let set = RandomSet(seed: 5, rows: 40, columns: 8, classes: 4)
        let together = try EmbeddingLosses.evaluate(embeddings: set.float64, labels: set.labels, seed: 9)
        var rng = PythonRandom(seed: 9)
        let contrastive = try EmbeddingLosses.contrastive(embeddings: set.float64, labels: set.labels, using: &rng)
        let triplet = try EmbeddingLosses.triplet(embeddings: set.float64, labels: set.labels, using: &rng)
        #expect(together.contrastive == contrastive)
        #expect(together.triplet == triplet)
        var fresh = PythonRandom(seed: 9)
        #expect(try EmbeddingLosses.triplet(embeddings: set.float64, labels: set.labels, using: &fresh) != triplet)
    }

    @Test("float32 embeddings are computed in float32 as NumPy does, close to the float64 values")
    func float32Precision() throws {
        let set = RandomSet(seed: 11, rows: 200, columns: 64, classes: 3)
        let narrow = try EmbeddingLosses.Matrix(rows: 200, columns: 64, values: .float32(set.values.map(Float.init)))
        let widened = set.values.map { Double(Float($0)) }
        let wide = try EmbeddingLosses.Matrix(rows: 200, columns: 64, values: .float64(widened))
        let a = try EmbeddingLosses.evaluate(embeddings: narrow, labels: set.labels)
        let b = try EmbeddingLosses.evaluate(embeddings: wide, labels: set.labels)
        #expect(abs(a.contrastive - b.contrastive) < 1e-5)
        #expect(abs(a.triplet - b.triplet) < 1e-5)
        #expect(a.contrastive != b.contrastive || a.triplet != b.triplet, "float32 arithmetic should show")
    }

    @Test("labels come from integer arrays of any width or integral floats")
    func labelsFromNPY() throws {
        #expect(try EmbeddingLosses.labels(NPYArray(shape: [3], contents: .int64([3, -1, 3]))) == [3, -1, 3])
        #expect(try EmbeddingLosses.labels(NPYArray(shape: [2], contents: .float32([2, 0]))) == [2, 0])
        #expect(throws: EmbeddingLossError.nonIntegerLabel(index: 1, value: 1.5)) {
            try EmbeddingLosses.labels(NPYArray(shape: [2], contents: .float64([1, 1.5])))
        }
        #expect(throws: EmbeddingLossError.nonIntegerLabel(index: 0, value: .infinity)) {
            try EmbeddingLosses.labels(NPYArray(shape: [1], contents: .float64([.infinity])))
        }
        #expect(throws: EmbeddingLossError.labelsNotOneDimensional(shape: "(2, 1)")) {
            try EmbeddingLosses.labels(NPYArray(shape: [2, 1], contents: .int64([1, 2])))
        }
    }

    @Test("embeddings come from 2-D float32 or float64 arrays")
    func embeddingsFromNPY() throws {
        let floats = try EmbeddingLosses.Matrix(NPYArray(shape: [2, 3], contents: .float32([1, 2, 3, 4, 5, 6])))
        #expect(floats.rows == 2 && floats.columns == 3)
        #expect(floats.values == .float32([1, 2, 3, 4, 5, 6]))
        #expect(throws: EmbeddingLossError.embeddingsNotTwoDimensional(shape: "(6,)")) {
            try EmbeddingLosses.Matrix(NPYArray(shape: [6], contents: .float32([1, 2, 3, 4, 5, 6])))
        }
        #expect(throws: EmbeddingLossError.embeddingsNotTwoDimensional(shape: "(1, 2, 3)")) {
            try EmbeddingLosses.Matrix(NPYArray(shape: [1, 2, 3], contents: .float32([1, 2, 3, 4, 5, 6])))
        }
        #expect(throws: EmbeddingLossError.unsupportedEmbeddingType("int64")) {
            try EmbeddingLosses.Matrix(NPYArray(shape: [2, 1], contents: .int64([1, 2])))
        }
        #expect(throws: EmbeddingLossError.valueCountMismatch(rows: 2, columns: 2, count: 3)) {
            try EmbeddingLosses.Matrix(rows: 2, columns: 2, values: .float64([1, 2, 3]))
        }
    }

    @Test(
        "bad inputs are errors with a message, never a crash or NaN",
        arguments: [
            ([[0.0, 1], [2, 3]], [0, 1, 1], 1.0, EmbeddingLossError.labelCountMismatch(rows: 2, labels: 3)),
            ([[0.0, 1]], [0], 1.0, .tooFewRows(1)),
            ([], [], 1.0, .tooFewRows(0)),
            ([[], []], [0, 1], 1.0, .noColumns),
            ([[2.0, 2], [2, 2]], [0, 1], 1.0, .constantEmbeddings(value: 2)),
            ([[0.0, .nan], [2, 3]], [0, 1], 1.0, .nonFinite(row: 0, column: 1, value: .nan)),
            ([[0.0, 1], [2, -.infinity]], [0, 1], 1.0, .nonFinite(row: 1, column: 1, value: -.infinity)),
            ([[-1e308, 0], [1e308, 0]], [0, 1], 1.0, .rangeOverflow(minimum: -1e308, maximum: 1e308)),
            ([[0.0, 1], [2, 3]], [0, 1], .nan, .invalidMargin(.nan)),
            ([[0.0, 1], [2, 3]], [0, 1], .infinity, .invalidMargin(.infinity)),
            ([[0.0, 1], [2, 3], [4, 5]], [7, 7, 7], 1.0, .singleClass(label: 7)),
        ] as [([[Double]], [Int], Double, EmbeddingLossError)])
    func badInput(rows: [[Double]], labels: [Int], margin: Double, expected: EmbeddingLossError) throws {
        let embeddings = try EmbeddingLosses.Matrix(
            rows: rows.count, columns: rows.first?.count ?? 0, values: .float64(rows.flatMap { $0 }))
        do {
            let losses = try EmbeddingLosses.evaluate(embeddings: embeddings, labels: labels, margin: margin)
            Issue.record("evaluated to \(losses); expected \(expected)")
        } catch let error as EmbeddingLossError {
            // NaN never equals NaN, so compare descriptions.
            #expect(error.description == expected.description)
            #expect(!error.description.isEmpty)
        }
    }

    @Test("float32 specifics: a range that overflows float32, a margin float32 cannot hold")
    func float32BadInput() throws {
        let huge = try EmbeddingLosses.Matrix(rows: 2, columns: 1, values: .float32([-3e38, 3e38]))
        let overflow = EmbeddingLossError.rangeOverflow(minimum: Double(Float(-3e38)), maximum: Double(Float(3e38)))
        #expect(throws: overflow) {
            try EmbeddingLosses.evaluate(embeddings: huge, labels: [0, 1])
        }
        let small = try EmbeddingLosses.Matrix(rows: 2, columns: 1, values: .float32([0, 1]))
        #expect(throws: EmbeddingLossError.invalidMargin(1e300)) {
            try EmbeddingLosses.evaluate(embeddings: small, labels: [0, 1], margin: 1e300)
        }
        var rng = PythonRandom(seed: 1)
        #expect(throws: EmbeddingLossError.singleClass(label: 3)) {
            try EmbeddingLosses.triplet(embeddings: small, labels: [3, 3], using: &rng)
        }
    }

    @Test("error descriptions say what to fix")
    func descriptions() {
        #expect(
            String(describing: EmbeddingLossError.labelCountMismatch(rows: 50, labels: 49))
                == "there are 50 embedding rows but 49 labels; give one label per row")
        #expect(String(describing: EmbeddingLossError.singleClass(label: 2)).contains("at least 2 classes"))
        #expect(String(describing: EmbeddingLossError.constantEmbeddings(value: 0)).contains("divide by zero"))
        #expect(String(describing: EmbeddingLossError.unsupportedEmbeddingType("int32")).contains("astype"))
    }

    @Test("60,000 × 64 float32 embeddings evaluate well under a second")
    func speed() throws {
        var rng = PythonRandom(seed: 3)
        let rows = 60_000
        let columns = 64
        let values = (0..<(rows * columns)).map { _ in Float(rng.getrandbits(24)) / 0x1p24 }
        let labels = (0..<rows).map { _ in rng.randbelow(10) }
        let embeddings = try EmbeddingLosses.Matrix(rows: rows, columns: columns, values: .float32(values))
        let clock = ContinuousClock()
        var losses = (contrastive: 0.0, triplet: 0.0)
        let elapsed = try clock.measure {
            losses = try EmbeddingLosses.evaluate(embeddings: embeddings, labels: labels)
        }
        print("EmbeddingLosses.evaluate, 60,000 × 64 float32: \(elapsed), \(losses)")
        #expect(elapsed < .seconds(1))
        #expect(losses.contrastive.isFinite && losses.triplet.isFinite)
    }
}
