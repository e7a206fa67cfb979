import Core
import Foundation
import Testing

/// A NumPy dataset through the real binary: one set split by `dataset.testFraction`, 2×5×5 colour images. The
/// same weights from `train --local` and `run` with 1 or 2 workers, for cross-entropy and the triplet objective
/// and in a seed sweep; the handshake refuses a worker whose `.npy` files differ.
@Suite(.serialized) struct NPYTrainingTests {
    static let count = 90

    /// Writes `images.npy` (float32, 90×5×5×2) and `labels.npy` (4 classes) into `folder`, and a spec naming it.
    static func writeSet(in folder: URL, labelShift: Int = 0) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let philox = Philox(seed: 3)
        let pixels = (0..<(count * 50)).map { Philox.unitFloat(philox.word((9, UInt32($0), 0, 0), lane: 0)) }
        try NPYWriter.write(NPYArray(shape: [count, 5, 5, 2], contents: .float32(pixels)),
                            toPath: folder.appendingPathComponent("images.npy").path)
        let labels = (0..<count).map { Int64(($0 + labelShift) % 4) }
        try NPYWriter.write(NPYArray(shape: [count], contents: .int64(labels)),
                            toPath: folder.appendingPathComponent("labels.npy").path)
        let spec = """
            {"name": "npy", "dataset": {"path": "\(folder.path)", "format": "npy", "testFraction": 0.2},
             "model": {"input": [5, 5, 2], "layers": [
               {"conv2d": {"filters": 4, "kernel": 3, "stride": 1, "activation": "relu"}}, {"flatten": {}},
               {"dense": {"units": 8, "activation": "relu", "name": "embedding"}}, {"dropout": {"rate": 0.25}},
               {"dense": {"units": 4, "activation": "softmax"}}]},
             "training": {"epochs": 2, "batchSize": 16}, "evaluation": {"samples": 20}}
            """
        let path = folder.appendingPathComponent("spec.json").path
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func scratch() throws -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("distembed-npy-\(UUID().uuidString)")
    }

    @Test(arguments: [[String](), ["--set", "training.objective=triplet"]])
    func anyWorkerCountGivesTheLocalWeights(objective: [String]) throws {
        let spec = try Self.writeSet(in: try Self.scratch())
        let local = try DistributedTrainingTests.hash(["train", spec, "--local", "--json"] + objective)
        for workers in [1, 2] {
            let output = try Binary.run(["run", spec, "--workers", "\(workers)", "--json"] + objective)
            #expect(output.status == 0, "\(output.stderr)")
            let json = try Binary.json(output)
            #expect(json["weightsSha256"] as? String == local, "\(workers) workers")
            #expect((json["embeddingQuality"] as? [String: Any])?["queryCount"] as? Int == 18, "18 test images")
        }
    }

    @Test func aSeedSweepTrainsEachSeedLikeASingleRun() throws {
        let spec = try Self.writeSet(in: try Self.scratch())
        let output = try Binary.run(["run", spec, "--workers", "2", "--seeds", "1,2", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = try #require(try Binary.json(output)["rows"] as? [[String: Any]])
        let expected = try [1, 2].map {
            try DistributedTrainingTests.hash(["train", spec, "--local", "--json", "--set", "seed=\($0)"])
        }
        #expect(rows.map { $0["weightsSha256"] as? String } == expected)
        #expect(Set(expected).count == 2)
    }

    @Test func aModelThatDoesNotFitTheImagesFailsNamingBoth() throws {
        let spec = try Self.writeSet(in: try Self.scratch())
        let output = try Binary.run(["run", spec, "--workers", "1", "--set", "model.input=[5,5,1]"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("model.input") && output.stderr.contains("5×5×2"), "\(output.stderr)")
    }

    @Test func aWorkerWithOtherNumPyFilesIsRefused() throws {
        let cluster = try TestCluster()
        let data = cluster.folder.appendingPathComponent("npy")
        let other = cluster.folder.appendingPathComponent("npy-other")
        _ = try Self.writeSet(in: data)
        _ = try Self.writeSet(in: other, labelShift: 1)
        try cluster.startCoordinator(extra: ["--data", data.path])
        let refused = try cluster.startWorker("other", extra: ["--data", other.path])
        #expect(cluster.waitForExit(refused) == 3, "refused and exits with status 3")
        #expect(cluster.log("other").contains("labels.npy"), "names the file: \(cluster.log("other"))")
        #expect(cluster.log("coordinator").contains("refused a worker: dataset differs"))
    }
}
