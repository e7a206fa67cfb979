/// How well an embedding separates classes on held-out images, beyond the exercise's two losses:
/// k-nearest-neighbour accuracy of test images against the training images, and recall@1 among the test images.
public struct EmbeddingQuality: Codable, Sendable, Equatable {
    /// Fraction of test images whose nearest training image (squared Euclidean distance) has their class.
    public var knn1Accuracy: Double
    /// Fraction of test images whose 5 nearest training images vote for their class (a tied vote goes to the
    /// tied class with the nearest member).
    public var knn5Accuracy: Double
    /// Fraction of test images whose nearest other test image has their class (recall@1 of retrieval).
    public var recallAt1: Double
    /// Training images searched, and test images asked.
    public var galleryCount: Int
    public var queryCount: Int

    public init(knn1Accuracy: Double, knn5Accuracy: Double, recallAt1: Double, galleryCount: Int, queryCount: Int) {
        self.knn1Accuracy = knn1Accuracy
        self.knn5Accuracy = knn5Accuracy
        self.recallAt1 = recallAt1
        self.galleryCount = galleryCount
        self.queryCount = queryCount
    }

    /// Measures `queries` (test embeddings, row-major, `width` wide) against `gallery` (training embeddings).
    /// Distances come from one GEMM per block of queries; ties go to the lower index, so the result is a pure
    /// function of the embeddings.
    public static func measure(
        gallery: [Float], galleryLabels: [Int32], queries: [Float], queryLabels: [Int32], width: Int
    ) -> EmbeddingQuality {
        precondition(gallery.count == galleryLabels.count * width && queries.count == queryLabels.count * width)
        var knn1 = 0
        var knn5 = 0
        var recall = 0
        NearestNeighbours.search(queries: queries, in: gallery, width: width, k: 5) { q, neighbours in
            let label = queryLabels[q]
            if galleryLabels[neighbours[0]] == label { knn1 += 1 }
            if vote(neighbours.map { galleryLabels[$0] }) == label { knn5 += 1 }
        }
        NearestNeighbours.search(queries: queries, in: queries, width: width, k: 1, excludingSelf: true) { q, n in
            if !n.isEmpty && queryLabels[n[0]] == queryLabels[q] { recall += 1 }
        }
        let count = max(queryLabels.count, 1)
        return EmbeddingQuality(
            knn1Accuracy: Double(knn1) / Double(count), knn5Accuracy: Double(knn5) / Double(count),
            recallAt1: Double(recall) / Double(count), galleryCount: galleryLabels.count,
            queryCount: queryLabels.count)
    }

    /// The majority label of `labels` (nearest first); a tie goes to the tied label seen first.
    static func vote(_ labels: [Int32]) -> Int32? {
        var counts: [Int32: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        let best = counts.values.max() ?? 0
        return labels.first { counts[$0] == best }
    }
}

/// Exhaustive k-nearest-neighbour search by squared Euclidean distance, `‖g‖² − 2 q·g` per pair (the query's
/// own norm does not change its ranking), in blocks of queries so the distance matrix stays small.
enum NearestNeighbours {
    static let block = 32

    /// Calls `visit(query, neighbours)` for each query with the indices of its `k` nearest rows of `base`,
    /// nearest first, ties to the lower index.
    static func search(
        queries: [Float], in base: [Float], width: Int, k: Int, excludingSelf: Bool = false,
        visit: (Int, [Int]) -> Void
    ) {
        let nq = queries.count / max(width, 1)
        let nb = base.count / max(width, 1)
        guard nq > 0, nb > 0 else { return }
        var norms = [Float](repeating: 0, count: nb)
        for j in 0..<nb {
            var s: Float = 0
            for d in 0..<width { s += base[j * width + d] * base[j * width + d] }
            norms[j] = s
        }
        var dots = [Float](repeating: 0, count: block * nb)
        var best: [(distance: Float, index: Int)] = []
        best.reserveCapacity(k + 1)
        for start in stride(from: 0, to: nq, by: block) {
            let rows = min(block, nq - start)
            queries.withUnsafeBufferPointer { q in
                base.withUnsafeBufferPointer { b in
                    dots.withUnsafeMutableBufferPointer { c in
                        Gemm.multiply(
                            m: rows, n: nb, k: width, a: q.baseAddress! + start * width, lda: width,
                            b: b.baseAddress!, transposeB: true, ldb: width, c: c.baseAddress!, ldc: nb)
                    }
                }
            }
            for r in 0..<rows {
                best.removeAll(keepingCapacity: true)
                for j in 0..<nb where !(excludingSelf && j == start + r) {
                    let d = norms[j] - 2 * dots[r * nb + j]
                    guard best.count < k || d < best[best.count - 1].distance else { continue }
                    var at = best.count
                    while at > 0 && best[at - 1].distance > d { at -= 1 }
                    best.insert((d, j), at: at)
                    if best.count > k { best.removeLast() }
                }
                visit(start + r, best.map(\.index))
            }
        }
    }
}
