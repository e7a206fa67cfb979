/// Images and their labels. The pixels stay as the file stores them (one byte a pixel for IDX, so a worker holding
/// 10,000 Fashion-MNIST images needs 7.8 MB, or mapped from a `.npy` file) and become Float only when a chunk is
/// loaded (``PixelStore``). A set may be a subset of its store's rows, in any order: a seeded split's part.
public struct ImageSet: Sendable {
    public let pixels: PixelStore
    /// The store row of each sample; nil when sample `i` is row `i` (the set is the store's first `count` rows).
    public let rows: [Int]?
    /// The class of each sample, 0 or more.
    public let labels: [Int32]
    public let count: Int
    public let height: Int
    public let width: Int
    public let channels: Int

    /// Values a sample holds: height × width × channels.
    public var sampleSize: Int { height * width * channels }

    /// Images stored as bytes, `height × width × channels` a sample, as many as `labels`.
    public init(pixels: [UInt8], labels: [Int32], height: Int, width: Int, channels: Int = 1) {
        self.init(
            pixels: PixelStore(bytes: pixels, rowSize: height * width * channels), rows: nil, labels: labels,
            height: height, width: width, channels: channels)
    }

    /// The samples of `pixels` at `rows` (its first `labels.count` rows when nil), labelled `labels`.
    public init(pixels: PixelStore, rows: [Int]?, labels: [Int32], height: Int, width: Int, channels: Int) {
        precondition(pixels.rowSize == height * width * channels, "pixels and shape disagree")
        precondition(rows.map { $0.count == labels.count } ?? (labels.count <= pixels.rowCount), "pixels and labels disagree")
        self.pixels = pixels
        self.rows = rows
        self.labels = labels
        self.count = labels.count
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// The first `limit` samples.
    public func prefix(_ limit: Int) -> ImageSet {
        let n = min(limit, count)
        if n == count { return self }
        return ImageSet(
            pixels: pixels, rows: rows.map { Array($0.prefix(n)) }, labels: Array(labels.prefix(n)), height: height,
            width: width, channels: channels)
    }

    /// The samples at `indices` of this set, in that order.
    func subset(_ indices: [Int]) -> ImageSet {
        ImageSet(
            pixels: pixels, rows: indices.map { rows?[$0] ?? $0 }, labels: indices.map { labels[$0] }, height: height,
            width: width, channels: channels)
    }

    /// Writes `samples` (indices into this set) as floats to `destination`, one after the other, `sampleSize`
    /// values each.
    public func load(_ samples: some Collection<Int>, into destination: UnsafeMutablePointer<Float>) {
        var destination = destination
        Self.scale.withUnsafeBufferPointer { table in
            for index in samples {
                pixels.load(row: rows?[index] ?? index, into: destination, scale: table)
                destination += sampleSize
            }
        }
    }

    /// Sample `index` as floats, as the model sees it.
    public func floats(of index: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: sampleSize) { buffer, initialized in
            load(CollectionOfOne(index), into: buffer.baseAddress!)
            initialized = sampleSize
        }
    }

    /// Checks that `model` (built from `spec`) fits these images: its input is their height, width and channels,
    /// and its last layer has a unit for every class the labels name.
    /// - Throws: ``SpecError`` naming the spec field and what the data holds.
    public func check(fits model: Model, spec: ModelSpec) throws(SpecError) {
        let shape = [height, width, channels]
        guard spec.input == shape else {
            throw SpecError("model.input", "is \(spec.input) but the dataset's images are \(height)×\(width)×"
                + "\(channels) (height × width × channels): set model.input to \(shape)")
        }
        if let largest = labels.max().map(Int.init), largest >= model.classCount {
            throw SpecError("model.layers[\(spec.layers.count - 1)]", "has \(model.classCount) units but the "
                + "dataset's labels go up to \(largest) (\(largest + 1) classes): give the last layer \(largest + 1) "
                + "units")
        }
    }

    /// `Float(p) / 255` for every byte value: the same bits as dividing, looked up.
    static let scale: [Float] = (0..<256).map { Float($0) / 255 }
}
