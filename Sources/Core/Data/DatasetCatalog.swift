import Crypto
import Foundation

/// The SHA-256 of every dataset file in a folder: the four IDX files (of their decompressed bytes, named without
/// `.gz`) and every `.npy` and `.npz` file, by name. A worker sends its catalog in its hello and the coordinator
/// admits it only when it holds every file of the coordinator's with the same digest, whichever format the
/// experiments read; before an experiment, each process checks that the files it reads still have these digests.
public struct DatasetCatalog: Sendable {
    public let folder: String
    /// Digests by file name, sorted by name.
    public let sha256: [(name: String, digest: String)]
    /// The names of the dataset files as they are in the folder (an IDX file with its `.gz`), sorted: what the
    /// coordinator serves to workers that fetch the set (``DatasetManifest``).
    public let files: [String]

    /// Hashes the dataset files in `folder`.
    /// - Throws: ``DatasetError`` when the folder holds none, or one cannot be read.
    public init(folder: String) throws(DatasetError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw DatasetError(path: folder, "cannot be listed: check that the folder exists and can be read")
        }
        var digests: [(name: String, digest: String)] = []
        var files: [String] = []
        for name in Dataset.fileNames where names.contains(name) || names.contains(name + ".gz") {
            let file = names.contains(name + ".gz") ? name + ".gz" : name
            digests.append((name, try IDXReader.read(path: (folder as NSString).appendingPathComponent(file),
                                                     keepItems: 0).sha256))
            files.append(file)
        }
        for name in names where name.hasSuffix(".npy") || name.hasSuffix(".npz") {
            digests.append((name, try FileDigest.sha256(path: (folder as NSString).appendingPathComponent(name))))
            files.append(name)
        }
        guard !digests.isEmpty else {
            throw DatasetError(path: folder, "holds no dataset files: expected the four IDX files of an MNIST-format "
                + "set (on Debian, `apt-get install dataset-fashion-mnist` puts Fashion-MNIST in "
                + "\(DatasetSpec.defaultPath)) or .npy/.npz files (Docs/Datasets.md)")
        }
        self.folder = folder
        self.sha256 = digests.sorted { $0.name < $1.name }
        self.files = files.sorted()
    }

    /// One digest over the file digests: the folder's identity.
    public var identity: String {
        SHA256.hash(data: Data(sha256.map { "\($0.name)=\($0.digest)\n" }.joined().utf8)).hex
    }

    /// What went wrong reading a dataset against a catalog.
    public enum LoadError: Error {
        /// The files cannot be read as the spec says.
        case unreadable(DatasetError)
        /// These files no longer have the digests the catalog took.
        case changed([String])
    }

    /// The dataset `spec` describes, read from this catalog's folder, every file of it still with the digest the
    /// catalog took: what the coordinator admitted workers against.
    public func load(_ spec: DatasetSpec) throws(LoadError) -> Dataset {
        let dataset: Dataset
        do {
            dataset = try Dataset(spec: spec, folder: folder)
        } catch {
            throw .unreadable(error)
        }
        let changed = changedFiles(of: dataset)
        guard changed.isEmpty else { throw .changed(changed) }
        return dataset
    }

    /// The names of the files of `dataset` whose digests are not the ones in this catalog (changed since it was
    /// taken, or new).
    public func changedFiles(of dataset: Dataset) -> [String] {
        let digests = Dictionary(sha256.map { ($0.name, $0.digest) }, uniquingKeysWith: { first, _ in first })
        return dataset.sha256.filter { digests[$0.name] != $0.digest }.map(\.name)
    }
}
