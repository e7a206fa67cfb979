import Core
import Foundation
import Testing

/// Colour end to end: an RGB `.npz` set whose classes differ only in which channel is bright, so a model that
/// mixed up or dropped channels could not tell them apart, trained through the same path as a distributed run.
@Suite struct ColourDatasetTests {
    static let size = 6
    static let classes = 3

    /// `count` RGB images as uint8 bytes, channels last: the channel of the image's class is bright (153...255),
    /// the others dark (0...102), with Philox noise; the mean brightness is the same for every class.
    static func images(count: Int, stream: UInt32) -> (pixels: [UInt8], labels: [Int]) {
        let philox = Philox(seed: 42)
        let labels = (0..<count).map { $0 % classes }
        var pixels: [UInt8] = []
        for (sample, label) in labels.enumerated() {
            for position in 0..<(size * size) {
                for channel in 0..<3 {
                    let noise = Int(philox.word((stream, UInt32(sample), UInt32(position), UInt32(channel)), lane: 0) % 103)
                    pixels.append(UInt8(channel == label ? 153 + noise : noise))
                }
            }
        }
        return (pixels, labels)
    }

    static func writeArchive(to folder: URL) throws {
        let train = images(count: 120, stream: 1)
        let test = images(count: 30, stream: 2)
        try NPYFixture.writeArchive([
            "train_images": NPYFixture.npy(descr: "|u1", shape: [120, size, size, 3], data: train.pixels),
            "train_labels": NPYFixture.labels(train.labels),
            "test_images": NPYFixture.npy(descr: "|u1", shape: [30, size, size, 3], data: test.pixels),
            "test_labels": NPYFixture.labels(test.labels),
        ], to: folder.appendingPathComponent("colours.npz").path)
    }

    static let model = #"{"input": [6, 6, 3], "layers": [{"conv2d": {"filters": 4, "kernel": 3, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 8, "activation": "relu", "name": "emb"}}, {"dense": {"units": 3, "activation": "softmax"}}]}"#

    @Test func trainsOnRGBImagesAndTellsTheClassesApartByChannel() throws {
        let folder = try Fixture.temporaryDirectory()
        try Self.writeArchive(to: folder)
        let spec = try NPYFixture.spec(
            folder: folder, dataset: #""npz": "colours.npz", "classNames": ["red", "green", "blue"]"#,
            model: Self.model, training: #", "epochs": 8, "learningRate": 0.01"#)
        let dataset = try Dataset(spec: spec.dataset)
        #expect(dataset.train.channels == 3 && dataset.test.count == 30)
        let first = Self.images(count: 1, stream: 1).pixels
        #expect(dataset.train.floats(of: 0) == first.map { Float($0) / 255 }, "pixels in NHWC order")

        let experiment = try LocalExperiment(spec: spec, dataset: dataset)
        let result = try experiment.run()
        let accuracy = try #require(result.testAccuracy)
        #expect(accuracy >= 0.9, "classes differ only by channel: \(accuracy)")
        #expect(result.embeddings?.classNames == ["red", "green", "blue"])

        let gray = Self.model.replacingOccurrences(of: "[6, 6, 3]", with: "[6, 6, 1]")
        let graySpec = try NPYFixture.spec(folder: folder, dataset: #""npz": "colours.npz""#, model: gray)
        #expect(throws: SpecError.self) { try LocalExperiment(spec: graySpec, dataset: dataset) }
    }
}
