import Foundation
import Testing

/// Real processes: `train --local`, `run` with 1–4 workers over ipc and tcp, shuffled dealing, and workers
/// refused at handshake. The spec is the exercise's, shortened; 300 samples in batches of 32 make the last batch
/// 12 samples, so a partial chunk is in every epoch.
@Suite(.serialized) struct DistributedTrainingTests {
    static let spec = repositoryRoot + "/experiments/exercise4.json"
    static let short = ["--set", "dataset.trainLimit=300", "--set", "training.epochs=2", "--set",
                        "dataset.testLimit=200"]

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func hash(_ arguments: [String]) throws -> String {
        let output = try Binary.run(arguments)
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        let json = try Binary.json(output)
        return try #require(json["weightsSha256"] as? String)
    }

    static let localHash: Result<String, Error> = Result { try hash(["train", spec, "--local", "--json"] + short) }

    @Test(arguments: [(1, "ipc"), (2, "ipc"), (3, "ipc"), (4, "ipc"), (1, "tcp"), (2, "tcp"), (3, "tcp"), (4, "tcp")])
    func anyWorkerCountAndTransportGivesTheLocalWeights(workers: Int, transport: String) throws {
        let local = try Self.localHash.get()
        let output = try Binary.run(["run", Self.spec, "--workers", "\(workers)", "--transport", transport, "--json"]
                                    + Self.short)
        #expect(output.status == 0, "\(output.stderr)")
        let json = try Binary.json(output)
        #expect(json["weightsSha256"] as? String == local)
        #expect(json["workers"] as? Int == workers)
        let losses = try #require(json["losses"] as? [String: Any])
        #expect(losses["contrastive"] != nil && losses["triplet"] != nil)
        #expect(["a", "b", "c", "d", "none"].contains(json["exerciseAnswer"] as? String ?? "?"))
        #expect((json["epochs"] as? [Any])?.count == 2)
    }

    @Test func shuffledDealingGivesTheSameWeights() throws {
        let local = try Self.localHash.get()
        for seed in [3, 11] {
            #expect(try Self.hash(["run", Self.spec, "--workers", "3", "--shuffle-seed", "\(seed)", "--json"]
                                  + Self.short) == local)
        }
    }

    @Test func rerunsAgreeAndAnotherSeedDiffers() throws {
        let local = try Self.localHash.get()
        #expect(try Self.hash(["train", Self.spec, "--local", "--json"] + Self.short) == local)
        #expect(try Self.hash(["run", Self.spec, "--workers", "2", "--json"] + Self.short) == local)
        #expect(try Self.hash(["train", Self.spec, "--local", "--json", "--set", "seed=2"] + Self.short) != local)
    }

    @Test func workersThatFailTheHandshakeAreRefusedAndTheRunGoesOn() throws {
        let local = try Self.localHash.get()
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let otherData = cluster.folder.appendingPathComponent("other-data")
        try SmallDataset.write(to: otherData)
        let badData = try cluster.startWorker("bad-data", extra: ["--data", otherData.path])
        let badKernel = try cluster.startWorker("bad-kernel", extra: ["--debug-fingerprint", "0123456789abcdef"])
        let badVersion = try cluster.startWorker("bad-version", extra: ["--debug-protocol-version", "99"])
        try cluster.startWorker("good-1")
        try cluster.startWorker("good-2")
        for (worker, phrase) in [(badData, "SHA-256"), (badKernel, "fingerprint"), (badVersion, "protocol version")] {
            let name = worker.arguments![4]
            #expect(cluster.waitForExit(worker) == 3, "\(name) is refused and exits with status 3")
            #expect(cluster.log(name).contains(phrase), "\(name) says why: \(cluster.log(name))")
        }
        // A fingerprint differs only through a bug or another release: the refusal says so and names both CPUs
        // (the worker's and the coordinator's: here the same machine twice).
        let refusal = cluster.log("bad-kernel")
        #expect(refusal.contains("this is a bug") && refusal.components(separatedBy: ", kernels ").count == 3,
                "\(refusal)")
        let output = try Binary.run(["submit", Self.spec, "--coordinator", cluster.endpoint, "--wait", "--json"]
                                    + Self.short)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Binary.json(output)["weightsSha256"] as? String == local)
        let log = cluster.log("coordinator")
        #expect(log.contains("refused a worker: dataset differs"))
        #expect(log.contains("refused a worker: kernel fingerprint differs"))
        #expect(log.contains("refused a worker: protocol version differs"))
    }
}

extension DistributedTrainingTests {
    /// The coordinator reads an experiment's images when it starts it; files changed since the coordinator checked
    /// its workers against them fail the experiment with the reason, instead of training on other data.
    @Test func datasetFilesChangedAfterStartFailTheExperiment() throws {
        let cluster = try TestCluster()
        let data = cluster.folder.appendingPathComponent("small-data")
        try SmallDataset.write(to: data)
        try cluster.startCoordinator(extra: ["--data", data.path])
        try cluster.startWorker("w1", extra: ["--data", data.path])
        try #require(cluster.waitForLog("w1") { $0.contains("joined the coordinator") },
                     "the worker checked the files first")
        let labels = (0..<16).map { UInt8(($0 + 1) % 10) }
        try SmallDataset.idx([16], labels).write(to: data.appendingPathComponent("train-labels-idx1-ubyte"))
        let output = try Binary.run([
            "submit", Self.spec, "--coordinator", cluster.endpoint, "--wait", "--json", "--set",
            "dataset.path=\(data.path)", "--set", "dataset.trainLimit=16", "--set", "dataset.testLimit=16", "--set",
            "evaluation.samples=16", "--set", "training.epochs=1",
        ])
        #expect(output.status == 1, "the experiment failed: \(output.stderr)")
        #expect(output.stderr.contains("changed since the coordinator started"), "\(output.stderr)")
    }
}

/// A valid Fashion-MNIST-shaped dataset of 16 images that is not Fashion-MNIST.
enum SmallDataset {
    static func idx(_ dims: [Int], _ data: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return Data(bytes + data)
    }

    static func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let images = (0..<(16 * 784)).map { UInt8($0 % 251) }
        let labels = (0..<16).map { UInt8($0 % 10) }
        for prefix in ["train", "t10k"] {
            try idx([16, 28, 28], images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try idx([16], labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }
}
