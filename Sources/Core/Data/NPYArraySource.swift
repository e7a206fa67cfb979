import Foundation

/// Where a dataset's named NumPy arrays are: `NAME.npy` files in a folder, mapped rather than read, or entries of
/// one `.npz` archive, read whole. Remembers the files it read, for the dataset's digests.
final class NPYArraySource {
    private let folder: String
    private let archive: NPZArchive?
    /// The paths of the files read so far, each once, in order.
    private(set) var files: [String] = []

    /// The arrays of `folder`, or of the archive `npz` in it when given.
    init(folder: String, npz: String?) throws(DatasetError) {
        self.folder = folder
        archive = try npz.map { name throws(DatasetError) in try NPZArchive(path: Self.join(folder, name)) }
        if let archive { files.append(archive.path) }
    }

    /// Images `N×H×W` or `N×H×W×C` of uint8 or float32 and their `N` integer labels: arrays `images` and `labels`.
    /// - Throws: ``DatasetError`` naming the file and what is wrong with it.
    func imageSet(images: String, labels: String) throws(DatasetError) -> ImageSet {
        let (pixels, shape) = try self.images(images)
        let classes = try self.labels(labels)
        guard classes.count == shape[0] else {
            throw DatasetError(path: location(of: labels), "has \(classes.count) labels but \(images) has \(shape[0]) images; "
                + "give every image one label")
        }
        return ImageSet(
            pixels: pixels, rows: nil, labels: classes, height: shape[1], width: shape[2],
            channels: shape.count == 4 ? shape[3] : 1)
    }

    private func images(_ name: String) throws(DatasetError) -> (PixelStore, shape: [Int]) {
        try read(name) { bytes, layout, backing throws(DatasetError) in
            let path = location(of: name)
            let element: PixelStore.Element
            switch layout.dtype {
            case .uint8: element = .uint8
            case .float32: element = .float32
            default:
                throw DatasetError(path: path, "images of \(layout.dtype.rawValue) are not supported: save them as "
                    + "uint8 (0...255, scaled by 1/255) or float32 (used as they are), e.g. a.astype(np.float32)")
            }
            guard (3...4).contains(layout.shape.count), layout.shape.allSatisfy({ $0 > 0 }) else {
                throw DatasetError(path: path, "images have shape \(NPYArray.describe(shape: layout.shape)); expected "
                    + "(count, height, width) or (count, height, width, channels), none of them 0")
            }
            let rowSize = layout.count / layout.shape[0]
            var (backing, offset) = (backing, layout.dataOffset)
            if layout.bigEndian != (1.bigEndian == 1) && element == .float32 {
                (backing, offset) = (try Self.swappedCopy(of: bytes[layout.dataOffset...], path: path), 0)
            }
            return (PixelStore(
                backing: backing, offset: offset, element: element, rowCount: layout.shape[0], rowSize: rowSize),
                layout.shape)
        }
    }

    private func labels(_ name: String) throws(DatasetError) -> [Int32] {
        try read(name) { bytes, _, _ throws(DatasetError) in
            let path = location(of: name)
            let array: NPYArray
            do {
                array = try NPYReader.decode(bytes: bytes, path: path)
            } catch {
                throw Self.datasetError(error, path: path)
            }
            guard array.dtype.isInteger, array.shape.count == 1, case .int64(let values) = array.contents else {
                throw DatasetError(path: path, "labels are \(array.dtype.rawValue) of shape \(array.shapeDescription); "
                    + "expected one integer class a sample (shape (count,)), e.g. y.astype(np.int64)")
            }
            if let bad = values.firstIndex(where: { !(0...Int64(Int32.max)).contains($0) }) {
                throw DatasetError(path: path, "label \(values[bad]) at index \(bad) is not a class: classes are "
                    + "numbered 0, 1, 2, ...")
            }
            return values.map { Int32($0) }
        }
    }

    /// Calls `body` with the bytes of array `name`, its parsed header, and what holds the bytes.
    private func read<T>(
        _ name: String, _ body: (UnsafeRawBufferPointer, NPYLayout, PixelBacking) throws(DatasetError) -> T
    ) throws(DatasetError) -> T {
        let path = location(of: name)
        let backing: PixelBacking
        if let archive {
            backing = .buffer(try archive.array(named: name))
        } else {
            backing = .mapped(try MappedFile(path: path))
            if !files.contains(path) { files.append(path) }
        }
        return try body(backing.bytes, try Self.layout(backing.bytes, path: path), backing)
    }

    /// Big-endian float32 elements in host order, in memory of their own.
    private static func swappedCopy(of elements: Slice<UnsafeRawBufferPointer>, path: String) throws(DatasetError)
        -> PixelBacking
    {
        guard let copy = ByteBuffer(count: elements.count) else {
            throw DatasetError(path: path, "needs \(elements.count) bytes to reorder, more memory than there is")
        }
        copy.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: elements))
        let words = copy.bytes.bindMemory(to: UInt32.self)
        for i in words.indices { words[i] = words[i].byteSwapped }
        return .buffer(copy)
    }

    /// Where array `name` is, for messages: its `.npy` file, or the archive and the array.
    private func location(of name: String) -> String {
        archive.map { "\($0.path) (array \(name))" } ?? Self.join(folder, name + ".npy")
    }

    private static func layout(_ bytes: UnsafeRawBufferPointer, path: String) throws(DatasetError) -> NPYLayout {
        do {
            return try NPYReader.layout(of: bytes, path: path)
        } catch {
            throw datasetError(error, path: path)
        }
    }

    private static func datasetError(_ error: any Error, path: String) -> DatasetError {
        guard let error = error as? NPYError else { return DatasetError(path: path, "\(error)") }
        return DatasetError(path: path, error.message)
    }

    private static func join(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }
}
