import Foundation

/// Reads a dataset stored as NumPy arrays (Docs/Datasets.md): `train_images`, `train_labels`, `test_images` and
/// `test_labels`, or, with `dataset.testFraction`, `images` and `labels` split by ``DatasetSplit``.
enum NPYDatasetLoader {
    /// The dataset `spec` describes, from the arrays in `folder`.
    /// - Throws: ``DatasetError`` naming the file and what is wrong with it.
    static func load(_ spec: DatasetSpec, folder: String) throws(DatasetError) -> Dataset {
        let source = try NPYArraySource(folder: folder, npz: spec.npz)
        let train: ImageSet
        let test: ImageSet
        if spec.testFraction > 0 {
            let all = try source.imageSet(images: "images", labels: "labels")
            guard all.count <= DatasetSplit.maximumCount else {
                throw DatasetError(path: folder, "holds \(all.count) images; a split draws from at most "
                    + "\(DatasetSplit.maximumCount): save separate train_ and test_ arrays instead")
            }
            let split = DatasetSplit.indices(count: all.count, testFraction: spec.testFraction, seed: spec.splitSeed)
            (train, test) = (all.subset(split.train), all.subset(split.test))
        } else {
            train = try source.imageSet(images: "train_images", labels: "train_labels")
            test = try source.imageSet(images: "test_images", labels: "test_labels")
            guard [test.height, test.width, test.channels] == [train.height, train.width, train.channels] else {
                throw DatasetError(path: folder, "test images are \(test.height)×\(test.width)×\(test.channels) but "
                    + "training images \(train.height)×\(train.width)×\(train.channels); give both one shape")
            }
        }
        var digests: [(name: String, digest: String)] = []
        for path in source.files {
            digests.append(((path as NSString).lastPathComponent, try FileDigest.sha256(path: path)))
        }
        return Dataset(train: train.prefix(spec.trainLimit), test: test.prefix(spec.testLimit), sha256: digests)
    }
}
