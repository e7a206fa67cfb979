import Crypto
import Foundation

/// A training and a test set, read as a spec's `dataset` says (Docs/Datasets.md), with the SHA-256 of each file
/// read, which each process compares with its ``DatasetCatalog`` before it trains.
public struct Dataset: Sendable {
    public static let fileNames = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ]

    public let train: ImageSet
    public let test: ImageSet
    /// Hex SHA-256 of each file read, by file name: for IDX, of the decompressed bytes, named without `.gz`, in
    /// ``fileNames`` order; for NumPy, of the `.npy` or `.npz` file.
    public let sha256: [(name: String, digest: String)]

    init(train: ImageSet, test: ImageSet, sha256: [(name: String, digest: String)]) {
        self.train = train
        self.test = test
        self.sha256 = sha256
    }

    /// The dataset `spec` describes, read from `folder`: the spec's own `path` unless given (the coordinator and
    /// the workers read their `--data` folder, which holds the same files).
    /// - Throws: ``DatasetError`` naming the file that is missing, unreadable or malformed.
    public init(spec: DatasetSpec, folder: String? = nil) throws(DatasetError) {
        let folder = folder ?? spec.path
        switch spec.format {
        case .idx: try self.init(folder: folder, trainLimit: spec.trainLimit, testLimit: spec.testLimit)
        case .npy: self = try NPYDatasetLoader.load(spec, folder: folder)
        }
    }

    /// Loads the IDX files in `folder`, keeping the first `trainLimit` training and `testLimit` test images.
    /// - Throws: ``DatasetError`` naming the file that is missing, unreadable or malformed.
    public init(folder: String, trainLimit: Int = .max, testLimit: Int = .max) throws(DatasetError) {
        var files: [IDXFile] = []
        var digests: [(String, String)] = []
        // Images up to the limits; labels whole, so every label is checked.
        for (name, keep) in zip(Self.fileNames, [trainLimit, Int.max, testLimit, Int.max]) {
            let (file, digest) = try IDXReader.read(path: try Self.locate(folder: folder, name: name), keepItems: keep)
            digests.append((name, digest))
            files.append(file)
        }
        train = try Self.imageSet(images: files[0], labels: files[1], folder: folder, names: Self.fileNames[0...1])
            .prefix(trainLimit)
        test = try Self.imageSet(images: files[2], labels: files[3], folder: folder, names: Self.fileNames[2...3])
            .prefix(testLimit)
        sha256 = digests
    }

    /// Checks that `model` (built from `spec`) can train on this data and be tested on it
    /// (``ImageSet/check(fits:spec:)``).
    public func check(fits model: Model, spec: ModelSpec) throws(SpecError) {
        try train.check(fits: model, spec: spec)
        try test.check(fits: model, spec: spec)
    }

    /// `NAME.gz` or `NAME` in `folder`.
    private static func locate(folder: String, name: String) throws(DatasetError) -> String {
        let plain = (folder as NSString).appendingPathComponent(name)
        let gz = plain + ".gz"
        let fm = FileManager.default
        if fm.fileExists(atPath: gz) { return gz }
        if fm.fileExists(atPath: plain) { return plain }
        throw DatasetError(path: gz, "missing (looked for \(name).gz and \(name) in \(folder)); on Debian, "
            + "`apt-get install dataset-fashion-mnist` puts them in \(DatasetSpec.defaultPath)")
    }

    private static func imageSet(images: IDXFile, labels: IDXFile, folder: String, names: ArraySlice<String>)
        throws(DatasetError) -> ImageSet
    {
        let imagePath = (folder as NSString).appendingPathComponent(names.first!)
        let labelPath = (folder as NSString).appendingPathComponent(names.last!)
        guard images.dimensions.count == 3 else {
            throw DatasetError(path: imagePath, "expected 3 dimensions (count, rows, columns), got "
                + "\(images.dimensions)")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError(path: labelPath, "expected 1 dimension (count), got \(labels.dimensions)")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError(path: labelPath, "has \(labels.dimensions[0]) labels but \(names.first!) has "
                + "\(images.dimensions[0]) images")
        }
        let kept = images.data.count / (images.dimensions[1] * images.dimensions[2])
        return ImageSet(
            pixels: images.data, labels: labels.data.prefix(kept).map(Int32.init), height: images.dimensions[1],
            width: images.dimensions[2])
    }
}

extension Digest {
    /// Lower-case hex.
    public var hex: String {
        map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
