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
    /// What keeps `base` valid: memory this store allocated, or a mapped file.
    private let owner: Owner

    private enum Owner {
        case allocated(UnsafeMutableRawPointer)
        case mapped(MappedFile)
    }

    /// A copy of `bytes`, `rowSize` of them an image.
    public convenience init(bytes: [UInt8], rowSize: Int) {
        self.init(copying: bytes.withUnsafeBytes { PixelStore.copy($0) }, element: .uint8, rowSize: rowSize)
    }

    /// A copy of `raw`, elements of `element` that are whole rows of `rowSize`; float32 elements are byte-swapped
    /// when `byteSwapped` (a big-endian file on a little-endian host).
    convenience init(copying raw: UnsafeRawBufferPointer, element: Element, rowSize: Int, byteSwapped: Bool) {
        let (memory, count) = PixelStore.copy(raw)
        if byteSwapped && element == .float32 {
            let words = memory.bindMemory(to: UInt32.self, capacity: count / 4)
            for i in 0..<(count / 4) { words[i] = words[i].byteSwapped }
        }
        self.init(copying: (memory, count), element: element, rowSize: rowSize)
    }

    private init(copying memory: (UnsafeMutableRawPointer, count: Int), element: Element, rowSize: Int) {
        precondition(rowSize > 0 && memory.count % (rowSize * element.size) == 0, "pixels are not whole rows")
        self.element = element
        self.rowCount = memory.count / (rowSize * element.size)
        self.rowSize = rowSize
        self.base = UnsafeRawPointer(memory.0)
        self.owner = .allocated(memory.0)
    }

    /// A fresh copy of `raw`, aligned for any element type.
    private static func copy(_ raw: UnsafeRawBufferPointer) -> (UnsafeMutableRawPointer, count: Int) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(raw.count, 1), alignment: 16)
        if let source = raw.baseAddress { memory.copyMemory(from: source, byteCount: raw.count) }
        return (memory, raw.count)
    }

    /// `rowCount` rows starting `offset` bytes into `file`, in host byte order; the caller checked that they fit.
    init(mapped file: MappedFile, offset: Int, element: Element, rowCount: Int, rowSize: Int) {
        precondition(offset + rowCount * rowSize * element.size <= file.bytes.count, "rows outside the file")
        self.element = element
        self.rowCount = rowCount
        self.rowSize = rowSize
        self.base = file.bytes.baseAddress! + offset
        self.owner = .mapped(file)
    }

    deinit {
        if case .allocated(let memory) = owner { memory.deallocate() }
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
