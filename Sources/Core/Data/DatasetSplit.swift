/// A seeded split of one set into training and test samples: a Fisher–Yates shuffle drawn from the Philox stream
/// ``RandomStream/datasetSplit`` (counter: stream, 0, position, 0), so every process and every run draws the same
/// split from the same seed. Its first `round(count × testFraction)` positions are the test samples; each part
/// keeps the file's order.
enum DatasetSplit {
    /// The largest set a split draws from: the counter holds a position in 32 bits.
    static let maximumCount = Int(UInt32.max)

    /// The indices of the training and of the test samples, each ascending.
    static func indices(count: Int, testFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        precondition(count <= maximumCount, "a split counts positions in 32 bits")
        var order = Array(0..<count)
        let philox = Philox(seed: seed)
        let tag = RandomStream.datasetSplit.tag()
        for i in stride(from: count - 1, to: 0, by: -1) {
            let b = philox.block((tag, 0, UInt32(i), 0))
            let r = UInt64(b.0) << 32 | UInt64(b.1)
            order.swapAt(i, Int(r.multipliedFullWidth(by: UInt64(i + 1)).high))
        }
        let testCount = Int((Double(count) * testFraction).rounded())
        return (order[testCount...].sorted(), order[..<testCount].sorted())
    }
}
