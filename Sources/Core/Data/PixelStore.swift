/// The pixels of a set's images, one row of `rowSize` elements per image (height × width × channels, channels
/// last), in the element type the file stores: bytes, scaled by 1/255 when loaded (as the exercise's
/// `astype('float32') / 255.0`), or float32, used as they are. Held in memory or mapped from a `.npy` file.
public final class PixelStore: @unchecked Sendable {
    /// How a pixel is stored.
    public enum Element: Sendable, Equatable {
        case uint8, float32

        var size: Int { self == .uint8 ? 1 : 4 }
    }

    public let element: Element
    public let rowCount: Int
    public let rowSize: Int
    /// The first element of row 0, in host byte order; not necessarily aligned for a Float.
    private let base: UnsafeRawPointer
    /// What keeps `base` valid.
    private let backing: PixelBacking

    /// A copy of `bytes`, `rowSize` of them an image.
    public convenience init(bytes: [UInt8], rowSize: Int) {
        precondition(rowSize > 0 && bytes.count % rowSize == 0, "pixels are not whole rows")
        guard let copy = ByteBuffer(count: bytes.count) else { fatalError("out of memory for \(bytes.count) pixels") }
        bytes.withUnsafeBytes { copy.bytes.copyMemory(from: $0) }
        self.init(backing: .buffer(copy), offset: 0, element: .uint8, rowCount: bytes.count / rowSize, rowSize: rowSize)
    }

    /// `rowCount` rows starting `offset` bytes into `backing`, in host byte order; the caller checked that they
    /// fit.
    init(backing: PixelBacking, offset: Int, element: Element, rowCount: Int, rowSize: Int) {
        precondition(offset + rowCount * rowSize * element.size <= backing.bytes.count, "rows outside the bytes")
        self.element = element
        self.rowCount = rowCount
        self.rowSize = rowSize
        self.base = backing.bytes.baseAddress! + offset
        self.backing = backing
    }

    /// Writes row `row` as floats to `destination` (`rowSize` of them).
    @inline(__always)
    func load(row: Int, into destination: UnsafeMutablePointer<Float>, scale: UnsafeBufferPointer<Float>) {
        let start = base + row * rowSize * element.size
        switch element {
        case .uint8:
            let source = start.assumingMemoryBound(to: UInt8.self)
            for j in 0..<rowSize { destination[j] = scale[Int(source[j])] }
        case .float32:
            UnsafeMutableRawPointer(destination).copyMemory(from: start, byteCount: rowSize * 4)
        }
    }
}
