import Foundation

/// The coordinator's side of delivery: the ``DatasetManifest`` of its data folder, and the pieces it names read
/// from the mapped files, so serving a piece copies that piece only and the set stays in the page cache.
public final class DatasetPieceSource: @unchecked Sendable {
    public let manifest: DatasetManifest
    private let files: [MappedFile]

    /// Hashes `names` in `folder` into a manifest and maps them.
    /// - Throws: ``DatasetError`` naming the file that cannot be read.
    public init(folder: String, names: [String], pieceSize: Int = DatasetManifest.defaultPieceSize)
        throws(DatasetError)
    {
        manifest = try DatasetManifest.build(folder: folder, names: names, pieceSize: pieceSize)
        var files: [MappedFile] = []
        for name in names { files.append(try MappedFile(path: (folder as NSString).appendingPathComponent(name))) }
        self.files = files
    }

    /// The bytes of piece `piece` of file `file`, nil when the manifest has no such piece or the file shrank since.
    public func piece(file: Int, piece: Int) -> [UInt8]? {
        guard manifest.files.indices.contains(file), manifest.files[file].pieces.indices.contains(piece) else {
            return nil
        }
        let range = manifest.range(file: file, piece: piece)
        guard range.upperBound <= files[file].bytes.count else { return nil }
        return Array(files[file].bytes[range])
    }
}
