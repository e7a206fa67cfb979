import Core
import Foundation
import Testing

/// NumPy datasets: separate `.npy` files and `.npz` archives, any height, width, channels and classes, uint8 and
/// float32 images, the seeded split, the checks of untrusted files and of the model against the data.
@Suite struct NPYDatasetTests {
    static let model = #"{"input": [3, 2, 2], "layers": [{"flatten": {}}, {"dense": {"units": 4, "activation": "relu", "name": "emb"}}, {"dense": {"units": 3, "activation": "softmax"}}]}"#

    /// `count` images of 3×2×2 whose values say where they are: sample, row, column, channel.
    static func pixels(count: Int) -> [Float] {
        (0..<count).flatMap { s in (0..<12).map { Float(s * 100 + $0) / 1000 } }
    }

    static func writeSeparate(in folder: URL, train: Int = 5, test: Int = 2) throws {
        try NPYFixture.writeFiles([
            "train_images": NPYFixture.floatImages(pixels(count: train), shape: [train, 3, 2, 2]),
            "train_labels": NPYFixture.labels((0..<train).map { $0 % 3 }),
            "test_images": NPYFixture.floatImages(pixels(count: test), shape: [test, 3, 2, 2]),
            "test_labels": NPYFixture.labels((0..<test).map { 2 - $0 % 3 }),
        ], in: folder)
    }

    @Test func readsSeparateFilesChannelsLast() throws {
        let folder = try Fixture.temporaryDirectory()
        try Self.writeSeparate(in: folder)
        let dataset = try Dataset(spec: try NPYFixture.spec(folder: folder, model: Self.model).dataset)
        #expect(dataset.train.count == 5 && dataset.test.count == 2)
        #expect(dataset.train.height == 3 && dataset.train.width == 2 && dataset.train.channels == 2)
        #expect(dataset.train.labels == [0, 1, 2, 0, 1] && dataset.test.labels == [2, 1])
        #expect(dataset.train.floats(of: 3) == Array(Self.pixels(count: 5)[36..<48]), "float32 pixels as they are")
        #expect(dataset.sha256.map(\.name) == ["train_images.npy", "train_labels.npy", "test_images.npy",
                                               "test_labels.npy"])
    }

    @Test func readsAnArchiveWithTheSameResult() throws {
        let separate = try Fixture.temporaryDirectory()
        try Self.writeSeparate(in: separate)
        let archived = try Fixture.temporaryDirectory()
        let arrays = try ["train_images", "train_labels", "test_images", "test_labels"].map {
            ($0, try Data(contentsOf: separate.appendingPathComponent($0 + ".npy")))
        }
        try NPYFixture.writeArchive(Dictionary(uniqueKeysWithValues: arrays), to: archived.path + "/set.npz")
        let fromFiles = try Dataset(spec: try NPYFixture.spec(folder: separate, model: Self.model).dataset)
        let fromArchive = try Dataset(
            spec: try NPYFixture.spec(folder: archived, dataset: #""npz": "set.npz""#, model: Self.model).dataset)
        #expect(fromArchive.train.labels == fromFiles.train.labels && fromArchive.test.labels == fromFiles.test.labels)
        for i in 0..<5 { #expect(fromArchive.train.floats(of: i) == fromFiles.train.floats(of: i)) }
        #expect(fromArchive.sha256.map(\.name) == ["set.npz"])

        let missing = #expect(throws: DatasetError.self) {
            try Dataset(spec: try NPYFixture.spec(
                folder: archived, dataset: #""npz": "set.npz", "testFraction": 0.5"#, model: Self.model).dataset)
        }
        #expect(missing?.message.contains("no array 'images'") == true && missing?.message.contains("train_images") == true,
                "\(missing?.description ?? "")")
    }

    @Test func corruptArchivesAreClearErrors() throws {
        let folder = try Fixture.temporaryDirectory()
        let labels = NPYFixture.labels(Array(repeating: 1, count: 4000))
        let path = folder.path + "/set.npz"
        try NPYFixture.writeArchive(["images": labels, "labels": labels], to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let spec = try NPYFixture.spec(folder: folder, dataset: #""npz": "set.npz", "testFraction": 0.5"#, model: Self.model)
        // Flip bytes inside the first entry's compressed data: inflating or the CRC check fails.
        for offset in 60..<80 { bytes[offset] ^= 0x5a }
        try bytes.write(to: URL(fileURLWithPath: path))
        let corrupt = #expect(throws: DatasetError.self) { try Dataset(spec: spec.dataset) }
        #expect(corrupt?.path == path && corrupt?.message.contains("array 'images'") == true, "\(corrupt?.description ?? "")")

        try Data("PK not really".utf8).write(to: URL(fileURLWithPath: path))
        let notZip = #expect(throws: DatasetError.self) { try Dataset(spec: spec.dataset) }
        #expect(notZip?.message.contains("cannot be opened as a .npz") == true, "\(notZip?.description ?? "")")
    }

    @Test func byteImagesAreScaledAndAnyIntegerLabelsRead() throws {
        let folder = try Fixture.temporaryDirectory()
        let bytes: [UInt8] = [0, 51, 255, 102]
        try NPYFixture.writeFiles([
            "images": NPYFixture.npy(descr: "|u1", shape: [2, 1, 2], data: bytes),
            "labels": NPYFixture.npy(descr: ">u2", shape: [2], data: [0, 7, 1, 2]),
        ], in: folder)
        let spec = try NPYFixture.spec(folder: folder, dataset: #""testFraction": 0.5"#, model: Self.model)
        let dataset = try Dataset(spec: spec.dataset)
        let all = dataset.train.floats(of: 0) + dataset.test.floats(of: 0)
        #expect(Set(all) == Set(bytes.map { Float($0) / 255 }))
        #expect(Set(dataset.train.labels + dataset.test.labels) == [7, 258], "big-endian uint16 labels")
    }

    @Test func byteImagesGiveTheSameFloatsAsTheSameIDXBytes() throws {
        let idx = try Fixture.temporaryDirectory()
        try IDXTests.writeDataset(in: idx, gzip: false)
        let npy = try Fixture.temporaryDirectory()
        let train = (0..<48).map { UInt8($0 * 5) }, test = (0..<32).map { UInt8($0) }
        try NPYFixture.writeFiles([
            "train_images": NPYFixture.npy(descr: "|u1", shape: [3, 4, 4], data: train),
            "train_labels": NPYFixture.npy(descr: "|u1", shape: [3], data: [1, 2, 3]),
            "test_images": NPYFixture.npy(descr: "|u1", shape: [2, 4, 4], data: test),
            "test_labels": NPYFixture.npy(descr: "|u1", shape: [2], data: [9, 0]),
        ], in: npy)
        let fromIDX = try Dataset(folder: idx.path)
        let fromNPY = try Dataset(spec: try NPYFixture.spec(folder: npy, model: Self.model).dataset)
        for i in 0..<3 { #expect(fromNPY.train.floats(of: i) == fromIDX.train.floats(of: i)) }
        #expect(fromNPY.train.labels == fromIDX.train.labels && fromNPY.test.labels == fromIDX.test.labels)
    }

    @Test(arguments: [false, true])
    func bigEndianFloatImagesAreReordered(archived: Bool) throws {
        let folder = try Fixture.temporaryDirectory()
        let values: [Float] = [0.25, -1.5, 3, 1e-3]
        let bigEndian = values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (24 - 8 * $0)) } }
        let arrays = [
            "images": NPYFixture.npy(descr: ">f4", shape: [2, 1, 2], data: bigEndian),
            "labels": NPYFixture.labels([0, 1]),
        ]
        if archived {
            try NPYFixture.writeArchive(arrays, to: folder.path + "/set.npz")
        } else {
            try NPYFixture.writeFiles(arrays, in: folder)
        }
        let fields = #""testFraction": 0.5"# + (archived ? #", "npz": "set.npz""# : "")
        let dataset = try Dataset(spec: try NPYFixture.spec(folder: folder, dataset: fields, model: Self.model).dataset)
        #expect(Set(dataset.train.floats(of: 0) + dataset.test.floats(of: 0)) == Set(values))
    }

    @Test func theSplitIsSeededDisjointAndKeepsTheFileOrder() throws {
        let folder = try Fixture.temporaryDirectory()
        let count = 40
        try NPYFixture.writeFiles([
            "images": NPYFixture.floatImages(Self.pixels(count: count), shape: [count, 3, 2, 2]),
            "labels": NPYFixture.labels((0..<count).map { $0 % 3 }),
        ], in: folder)
        func split(_ seed: Int) throws -> (train: [[Float]], test: [[Float]], dataset: Dataset) {
            let spec = try NPYFixture.spec(
                folder: folder, dataset: #""testFraction": 0.25, "splitSeed": \#(seed)"#, model: Self.model)
            let dataset = try Dataset(spec: spec.dataset)
            return ((0..<dataset.train.count).map { dataset.train.floats(of: $0) },
                    (0..<dataset.test.count).map { dataset.test.floats(of: $0) }, dataset)
        }
        let first = try split(1)
        #expect(first.train.count == 30 && first.test.count == 10)
        let samples = (0..<count).map { Array(Self.pixels(count: count)[($0 * 12)..<($0 * 12 + 12)]) }
        let trainIndices = first.train.map { samples.firstIndex(of: $0)! }
        let testIndices = first.test.map { samples.firstIndex(of: $0)! }
        #expect(Set(trainIndices + testIndices) == Set(0..<count), "every sample in one part")
        #expect(trainIndices == trainIndices.sorted() && testIndices == testIndices.sorted())
        #expect(first.dataset.test.labels == testIndices.map { Int32($0 % 3) }, "labels follow their images")
        #expect(try split(1).test == first.test, "the same seed draws the same split")
        #expect(try split(2).test != first.test, "another seed another")
    }

    @Test func theModelMustFitTheData() throws {
        let folder = try Fixture.temporaryDirectory()
        try Self.writeSeparate(in: folder)
        let wrongInput = Self.model.replacingOccurrences(of: "[3, 2, 2]", with: "[3, 2, 1]")
        let spec = try NPYFixture.spec(folder: folder, model: wrongInput)
        let dataset = try Dataset(spec: spec.dataset)
        let input = #expect(throws: SpecError.self) { try dataset.check(fits: try Model(spec.model), spec: spec.model) }
        let message = input.map { "\($0)" } ?? ""
        #expect(message.contains("model.input") && message.contains("[3, 2, 1]") && message.contains("3×2×2"), "\(message)")

        let fewUnits = Self.model.replacingOccurrences(of: #""units": 3"#, with: #""units": 2"#)
        let small = try NPYFixture.spec(folder: folder, model: fewUnits)
        let units = #expect(throws: SpecError.self) { try dataset.check(fits: try Model(small.model), spec: small.model) }
        let text = units.map { "\($0)" } ?? ""
        #expect(text.contains("model.layers[2]") && text.contains("2 units") && text.contains("3 classes"), "\(text)")
        #expect(throws: SpecError.self) { try LocalTrainer(spec: small, dataset: dataset) }
    }

    @Test(arguments: [
        ("truncated", "train_images", "needs"),
        ("huge", "train_images", "too many elements"),
        ("int16", "train_images", "uint8"),
        ("flat", "train_images", "expected (count, height, width)"),
        ("count", "train_labels", "has 4 labels"),
        ("float", "train_labels", "integer class"),
        ("negative", "train_labels", "label -1 at index 2"),
        ("shape", "test_images", "give both one shape"),
        ("missing", "test_labels", "missing"),
    ])
    func badFilesAreClearErrors(kind: String, array: String, phrase: String) throws {
        let folder = try Fixture.temporaryDirectory()
        try Self.writeSeparate(in: folder)
        let url = folder.appendingPathComponent(array + ".npy")
        switch kind {
        case "truncated": try Data(try Data(contentsOf: url).dropLast(3)).write(to: url)
        case "huge":
            try NPYFixture.npy(descr: "<f4", shape: [Int.max / 2, 3, 2, 2], data: []).write(to: url)
        case "int16": try NPYFixture.npy(descr: "<i2", shape: [5, 3, 2, 2], data: Array(repeating: 0, count: 120)).write(to: url)
        case "flat": try NPYFixture.floatImages(Self.pixels(count: 5), shape: [5, 12]).write(to: url)
        case "count": try NPYFixture.labels([0, 1, 2, 0]).write(to: url)
        case "float": try NPYWriter.encode(NPYArray(shape: [5], contents: .float32([0, 1, 2, 0, 1]))).write(to: url)
        case "negative": try NPYFixture.labels([0, 1, -1, 0, 1]).write(to: url)
        case "shape": try NPYFixture.floatImages(Self.pixels(count: 2).map { $0 }, shape: [2, 2, 3, 2]).write(to: url)
        default: try FileManager.default.removeItem(at: url)
        }
        let error = #expect(throws: DatasetError.self) {
            try Dataset(spec: try NPYFixture.spec(folder: folder, model: Self.model).dataset)
        }
        let text = error?.description ?? ""
        #expect(text.contains(phrase), "\(text)")
        #expect(kind == "shape" || text.contains(array + ".npy"), "names the file: \(text)")
    }

    @Test func theCatalogDigestsEveryDatasetFileAndNamesChangedOnes() throws {
        let folder = try Fixture.temporaryDirectory()
        try Self.writeSeparate(in: folder)
        try Data("not data".utf8).write(to: folder.appendingPathComponent("README"))
        let catalog = try DatasetCatalog(folder: folder.path)
        #expect(catalog.sha256.map(\.name) == ["test_images.npy", "test_labels.npy", "train_images.npy",
                                               "train_labels.npy"])
        let spec = try NPYFixture.spec(folder: folder, model: Self.model)
        #expect(catalog.changedFiles(of: try Dataset(spec: spec.dataset)).isEmpty)
        try NPYFixture.labels([2, 1, 0, 0, 1]).write(to: folder.appendingPathComponent("train_labels.npy"))
        #expect(catalog.changedFiles(of: try Dataset(spec: spec.dataset)) == ["train_labels.npy"])
        #expect(try DatasetCatalog(folder: folder.path).identity != catalog.identity)

        let empty = try Fixture.temporaryDirectory()
        let none = #expect(throws: DatasetError.self) { try DatasetCatalog(folder: empty.path) }
        #expect(none?.message.contains("no dataset files") == true)
    }
}
