/// The contrastive and triplet losses of Exercise 4, number for number as the exercise's NumPy code computes them.
///
/// Semantics (the exercise's `contrastive_loss` and `triplet_loss`):
/// - The embeddings are min-max normalised over the whole matrix: `(x - min) / (max - min)`.
/// - Every row is an anchor once, in order. Contrastive draws `randint(0, rows - 1)` until the index differs from
///   the anchor; the pair costs `d / 2` for the same label and `max(0, margin - d) / 2` otherwise, where `d` is
///   the squared Euclidean distance. Triplet draws a positive among the rows with the anchor's label (which
///   include the anchor) and then a negative among the others, each with `randint` over the ascending row
///   indices `np.where` would list, and costs `max(0, margin + d(a, p) - d(a, n))`. Each loss is the mean cost.
/// - Draws come from CPython's `random` (`PythonRandom`); `evaluate` seeds once and runs contrastive then
///   triplet on the same stream, as the exercise does after one `random.seed(1)`.
///
/// Arithmetic follows NumPy 2's rules (NEP 50) for the input's element type, so float32 and float64 embeddings
/// both give NumPy's values: normalisation, differences, squares and `np.sum`'s pairwise summation order in the
/// element type; `margin ± d` in the element type; `np.max([0, x])` in float64; and the running total `L`, which
/// starts as the int 0, stays in the element type until the first float64 term.
///
/// Unlike the exercise's `np.where` per anchor, each class's rows are indexed once, so a draw costs O(log n):
/// 60,000 × 64 embeddings take tens of milliseconds, with the very draws and values of the quadratic version.
public enum EmbeddingLosses {
    /// Embeddings as a row-major matrix: one row per sample, in float32 or float64 as they were computed.
    public struct Matrix: Sendable, Equatable {
        /// The values in row-major order, in their element type.
        public enum Values: Sendable, Equatable {
            case float32([Float])
            case float64([Double])

            /// The number of values.
            public var count: Int {
                switch self {
                case .float32(let values): values.count
                case .float64(let values): values.count
                }
            }
        }

        /// The number of samples.
        public let rows: Int
        /// The number of dimensions of each embedding.
        public let columns: Int
        /// The values, `rows × columns` of them, row by row.
        public let values: Values

        /// Creates a matrix of `rows × columns` values given row by row.
        ///
        /// - Throws: `EmbeddingLossError.valueCountMismatch` if `values` does not hold `rows × columns` values.
        public init(rows: Int, columns: Int, values: Values) throws {
            guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns) == (values.count, false)
            else {
                throw EmbeddingLossError.valueCountMismatch(rows: rows, columns: columns, count: values.count)
            }
            self.rows = rows
            self.columns = columns
            self.values = values
        }

        /// The embeddings in a 2-D float32 or float64 array, such as one read from a `.npy` file.
        ///
        /// - Throws: `EmbeddingLossError` if the array is not 2-D or not float32 or float64.
        public init(_ array: NPYArray) throws {
            guard array.shape.count == 2 else {
                throw EmbeddingLossError.embeddingsNotTwoDimensional(shape: array.shapeDescription)
            }
            let values: Values
            switch array.contents {
            case .float32(let floats): values = .float32(floats)
            case .float64(let doubles): values = .float64(doubles)
            case .int64: throw EmbeddingLossError.unsupportedEmbeddingType(array.dtype.rawValue)
            }
            try self.init(rows: array.shape[0], columns: array.shape[1], values: values)
        }
    }

    /// The class ids in a 1-D array of integers of any width, or of floats that are all integral.
    ///
    /// - Throws: `EmbeddingLossError` if the array is not 1-D or a value is not an integer.
    public static func labels(_ array: NPYArray) throws -> [Int] {
        guard array.shape.count == 1 else {
            throw EmbeddingLossError.labelsNotOneDimensional(shape: array.shapeDescription)
        }
        if let integers = array.int64Values {
            return integers.map { Int($0) }
        }
        let values = array.float64Values
        let index = values.firstIndex { Int64(exactly: $0) == nil } ?? 0
        throw EmbeddingLossError.nonIntegerLabel(index: index, value: values[index])
    }

    /// Seeds CPython's generator once, then evaluates contrastive and triplet on that one stream, as the exercise
    /// does after `random.seed(1)`.
    ///
    /// - Parameters:
    ///   - embeddings: One row per sample.
    ///   - labels: The class id of each row.
    ///   - seed: The `random.seed` value; the exercise's is 1.
    ///   - margin: The margin `m` of both losses; the exercise's is 1.
    /// - Returns: The mean contrastive and triplet losses.
    /// - Throws: `EmbeddingLossError` for inputs the exercise's code would crash on or turn into NaN; nothing is
    ///   evaluated then.
    public static func evaluate(embeddings: Matrix, labels: [Int], seed: Int = 1, margin: Double = 1) throws
        -> (contrastive: Double, triplet: Double)
    {
        let normalised = try AnyNormalised(embeddings, labels: labels, margin: margin)
        try normalised.requireNegatives()
        var rng = PythonRandom(seed: seed)
        let contrastive = normalised.contrastive(using: &rng)
        return (contrastive, normalised.triplet(using: &rng))
    }

    /// The exercise's `contrastive_loss`, drawing from `rng`.
    ///
    /// - Returns: The mean over anchors of `d / 2` (same label) or `max(0, margin - d) / 2` (different labels).
    /// - Throws: `EmbeddingLossError` for inputs the exercise's code would crash on or turn into NaN.
    public static func contrastive(
        embeddings: Matrix, labels: [Int], margin: Double = 1, using rng: inout PythonRandom
    ) throws -> Double {
        try AnyNormalised(embeddings, labels: labels, margin: margin).contrastive(using: &rng)
    }

    /// The exercise's `triplet_loss`, drawing from `rng`.
    ///
    /// - Returns: The mean over anchors of `max(0, margin + d(a, p) - d(a, n))`.
    /// - Throws: `EmbeddingLossError` for inputs the exercise's code would crash on or turn into NaN, and
    ///   `EmbeddingLossError.singleClass` when there is no negative to draw.
    public static func triplet(
        embeddings: Matrix, labels: [Int], margin: Double = 1, using rng: inout PythonRandom
    ) throws -> Double {
        let normalised = try AnyNormalised(embeddings, labels: labels, margin: margin)
        try normalised.requireNegatives()
        return normalised.triplet(using: &rng)
    }
}

/// Validated, normalised embeddings of either element type.
private enum AnyNormalised {
    case float32(Normalised<Float>)
    case float64(Normalised<Double>)

    init(_ embeddings: EmbeddingLosses.Matrix, labels: [Int], margin: Double) throws {
        switch embeddings.values {
        case .float32(let values):
            self = .float32(try Normalised(values, embeddings.rows, embeddings.columns, labels: labels, margin: margin))
        case .float64(let values):
            self = .float64(try Normalised(values, embeddings.rows, embeddings.columns, labels: labels, margin: margin))
        }
    }

    func requireNegatives() throws {
        switch self {
        case .float32(let normalised): try normalised.requireNegatives()
        case .float64(let normalised): try normalised.requireNegatives()
        }
    }

    func contrastive(using rng: inout PythonRandom) -> Double {
        switch self {
        case .float32(let normalised): normalised.contrastive(using: &rng)
        case .float64(let normalised): normalised.contrastive(using: &rng)
        }
    }

    func triplet(using rng: inout PythonRandom) -> Double {
        switch self {
        case .float32(let normalised): normalised.triplet(using: &rng)
        case .float64(let normalised): normalised.triplet(using: &rng)
        }
    }
}

/// Min-max normalised embeddings with their labels, and the two losses over them in NumPy's arithmetic.
private struct Normalised<Scalar: BinaryFloatingPoint> {
    let values: [Scalar]
    let rows: Int
    let columns: Int
    let labels: [Int]
    let classes: ClassIndex
    let margin: Scalar

    /// Validates and normalises `rows × columns` values given row by row.
    init(_ raw: [Scalar], _ rows: Int, _ columns: Int, labels: [Int], margin: Double) throws {
        guard labels.count == rows else {
            throw EmbeddingLossError.labelCountMismatch(rows: rows, labels: labels.count)
        }
        guard rows >= 2 else {
            throw EmbeddingLossError.tooFewRows(rows)
        }
        guard columns > 0 else {
            throw EmbeddingLossError.noColumns
        }
        guard margin.isFinite, Scalar(margin).isFinite else {
            throw EmbeddingLossError.invalidMargin(margin)
        }
        if let bad = raw.firstIndex(where: { !$0.isFinite }) {
            throw EmbeddingLossError.nonFinite(row: bad / columns, column: bad % columns, value: Double(raw[bad]))
        }
        let minimum = raw.min()!
        let maximum = raw.max()!
        // np.max(y_pred) - np.min(y_pred), then one division per value, in the element type.
        let range = maximum - minimum
        guard range.isFinite else {
            throw EmbeddingLossError.rangeOverflow(minimum: Double(minimum), maximum: Double(maximum))
        }
        guard range > 0 else {
            throw EmbeddingLossError.constantEmbeddings(value: Double(minimum))
        }
        values = raw.map { ($0 - minimum) / range }
        self.rows = rows
        self.columns = columns
        self.labels = labels
        self.classes = ClassIndex(labels: labels)
        self.margin = Scalar(margin)
    }

    /// Throws unless some row has a label other than the first row's, so that triplet can draw negatives.
    func requireNegatives() throws {
        if classes.count < 2 {
            throw EmbeddingLossError.singleClass(label: labels[0])
        }
    }

    /// The exercise's `contrastive_loss` over these values.
    func contrastive(using rng: inout PythonRandom) -> Double {
        var total = RunningTotal<Scalar>.zero
        values.withUnsafeBufferPointer { buffer in
            for anchor in 0..<rows {
                var other = anchor
                while other == anchor {
                    other = rng.randint(0, rows - 1)
                }
                let distance = squaredDistance(buffer, anchor, other)
                if labels[other] == labels[anchor] {
                    // np.sum(...) / 2.0 keeps the element type.
                    total.add(distance / 2)
                } else {
                    // np.max([0, m - d]) builds a float64 array.
                    total.add(max(0, Double(margin - distance)) / 2)
                }
            }
        }
        return total.mean(count: rows)
    }

    /// The exercise's `triplet_loss` over these values; needs at least two classes.
    func triplet(using rng: inout PythonRandom) -> Double {
        var total = 0.0
        values.withUnsafeBufferPointer { buffer in
            for anchor in 0..<rows {
                let positives = classes.count(sharingLabelOf: anchor)
                let positive = classes.row(sharingLabelOf: anchor, rank: rng.randint(0, positives - 1))
                let negative = classes.row(notSharingLabelOf: anchor, rank: rng.randint(0, rows - positives - 1))
                let positiveDistance = squaredDistance(buffer, anchor, positive)
                let negativeDistance = squaredDistance(buffer, anchor, negative)
                // m + d(a, p) - d(a, n) in the element type, then np.max([0, x]) in float64.
                total += max(0, Double(margin + positiveDistance - negativeDistance))
            }
        }
        return total / Double(rows)
    }

    /// `np.sum(np.power(a - b, 2))` for rows `a` and `b`, in the element type and NumPy's summation order.
    private func squaredDistance(_ buffer: UnsafeBufferPointer<Scalar>, _ a: Int, _ b: Int) -> Scalar {
        let base = buffer.baseAddress!
        return pairwiseSquaredDistance(base + a * columns, base + b * columns, columns)
    }

    /// NumPy's `pairwise_sum` over `(x[i] - y[i])^2`: sequential below 8 terms, 8 interleaved accumulators up to
    /// 128, and halves (cut at a multiple of 8) above.
    private func pairwiseSquaredDistance(_ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ n: Int) -> Scalar {
        @inline(__always) func term(_ i: Int) -> Scalar {
            let difference = x[i] - y[i]
            return difference * difference
        }
        if n < 8 {
            var sum: Scalar = 0
            for i in 0..<n {
                sum += term(i)
            }
            return sum
        }
        if n <= 128 {
            var r0 = term(0)
            var r1 = term(1)
            var r2 = term(2)
            var r3 = term(3)
            var r4 = term(4)
            var r5 = term(5)
            var r6 = term(6)
            var r7 = term(7)
            var i = 8
            while i < n - n % 8 {
                r0 += term(i)
                r1 += term(i + 1)
                r2 += term(i + 2)
                r3 += term(i + 3)
                r4 += term(i + 4)
                r5 += term(i + 5)
                r6 += term(i + 6)
                r7 += term(i + 7)
                i += 8
            }
            var sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                sum += term(i)
                i += 1
            }
            return sum
        }
        let half = n / 2 - (n / 2) % 8
        return pairwiseSquaredDistance(x, y, half) + pairwiseSquaredDistance(x + half, y + half, n - half)
    }
}

/// Python's `L = 0; L += term; L / float(size)` with NumPy scalars: `L` takes the type of the first term and is
/// promoted to float64 by the first float64 term.
private enum RunningTotal<Scalar: BinaryFloatingPoint> {
    case zero
    case narrow(Scalar)
    case wide(Double)

    mutating func add(_ term: Scalar) {
        switch self {
        case .zero: self = .narrow(term)
        case .narrow(let sum): self = .narrow(sum + term)
        case .wide(let sum): self = .wide(sum + Double(term))
        }
    }

    mutating func add(_ term: Double) {
        switch self {
        case .zero: self = .wide(term)
        case .narrow(let sum): self = .wide(Double(sum) + term)
        case .wide(let sum): self = .wide(sum + term)
        }
    }

    func mean(count: Int) -> Double {
        switch self {
        case .zero: 0
        case .narrow(let sum): Double(sum / Scalar(Double(count)))
        case .wide(let sum): sum / Double(count)
        }
    }
}

/// The rows of each class in ascending order, so that `np.where(y_true == y)[0][k]` and
/// `np.where(y_true != y)[0][k]` take O(1) and O(log n) instead of a scan of every label.
private struct ClassIndex {
    /// For each class (numbered by first appearance), its rows in ascending order.
    private let members: [[Int]]
    /// The class of each row.
    private let classOfRow: [Int]
    init(labels: [Int]) {
        var classByLabel: [Int: Int] = [:]
        var members: [[Int]] = []
        var classOfRow: [Int] = []
        classOfRow.reserveCapacity(labels.count)
        for (row, label) in labels.enumerated() {
            let id = classByLabel[label] ?? members.count
            if id == members.count {
                classByLabel[label] = id
                members.append([])
            }
            members[id].append(row)
            classOfRow.append(id)
        }
        self.members = members
        self.classOfRow = classOfRow
    }

    /// The number of classes.
    var count: Int { members.count }

    /// How many rows share `row`'s label, `row` included.
    func count(sharingLabelOf row: Int) -> Int { members[classOfRow[row]].count }

    /// The `rank`-th row, in ascending order, with `row`'s label.
    func row(sharingLabelOf row: Int, rank: Int) -> Int { members[classOfRow[row]][rank] }

    /// The `rank`-th row, in ascending order, whose label differs from `row`'s.
    ///
    /// Before member `k` of the class (row `m[k]`) come `m[k] - k` non-members, a non-decreasing count; the
    /// members before the wanted row are those with at most `rank` non-members before them.
    func row(notSharingLabelOf row: Int, rank: Int) -> Int {
        let same = members[classOfRow[row]]
        var low = 0
        var high = same.count
        while low < high {
            let middle = (low + high) / 2
            if same[middle] - middle <= rank {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return rank + low
    }
}
