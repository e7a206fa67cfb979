/// Images and their labels, kept as the IDX files store them (one byte a pixel), so a worker holding 10,000
/// training images needs 7.8 MB. Pixels become Float (`p / 255`, as the exercise's `astype('float32') / 255.0`)
/// only when a chunk is loaded.
public struct ImageSet: Sendable {
    public let pixels: [UInt8]
    public let labels: [UInt8]
    public let count: Int
    public let height: Int
    public let width: Int

    public var sampleSize: Int { height * width }

    public init(pixels: [UInt8], labels: [UInt8], height: Int, width: Int) {
        precondition(pixels.count == labels.count * height * width, "pixels and labels disagree")
        self.pixels = pixels
        self.labels = labels
        self.count = labels.count
        self.height = height
        self.width = width
    }

    /// The first `limit` samples.
    public func prefix(_ limit: Int) -> ImageSet {
        let n = min(limit, count)
        if n == count { return self }
        return ImageSet(
            pixels: Array(pixels[0..<(n * sampleSize)]), labels: Array(labels[0..<n]), height: height, width: width)
    }

    /// `Float(p) / 255` for every byte value: the same bits as dividing, looked up.
    static let scale: [Float] = (0..<256).map { Float($0) / 255 }
}
