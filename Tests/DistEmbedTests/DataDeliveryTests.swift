import Foundation
import Testing

/// Delivery by digest with real processes: a worker started with `--fetch-data` and an empty folder fetches the
/// coordinator's NumPy set, trains it to the weights of `train --local`, and fetches nothing the second time; pieces
/// the coordinator corrupts are refused and fetched again, or end the fetch naming the piece; a worker killed
/// mid-fetch resumes with the pieces it lacks.
@Suite(.serialized) struct DataDeliveryTests {
    /// A coordinator serving a fresh NumPy set in 4 KiB pieces (images.npy: 5 pieces, labels.npy: 1), with `extra`.
    static func cluster(_ extra: [String] = []) throws -> (cluster: TestCluster, spec: String) {
        let cluster = try TestCluster()
        let data = cluster.folder.appendingPathComponent("npy")
        let spec = try NPYTrainingTests.writeSet(in: data)
        try cluster.startCoordinator(extra: ["--data", data.path, "--debug-data-piece-size", "4096"] + extra)
        return (cluster, spec)
    }

    /// The pieces a fetch started with, from its log line.
    static func piecesAsked(_ log: String) -> [Int] {
        let lines = log.split(separator: "\n").filter { $0.contains("fetching the dataset from the coordinator") }
        return lines.compactMap { line in
            line.range(of: #"pieces=\d+"#, options: .regularExpression).flatMap { Int(line[$0].dropFirst(7)) }
        }
    }

    @Test func aWorkerWithAnEmptyFolderFetchesTheSetAndTrainsTheLocalWeights() throws {
        let (cluster, spec) = try Self.cluster()
        let cache = cluster.folder.appendingPathComponent("cache")
        try cluster.startWorker("w1", extra: ["--fetch-data", cache.path])
        // Joined first: `submit --wait` would wait for a worker as long as it takes.
        try #require(cluster.waitForLog("w1") { $0.contains("joined the coordinator") }, "\(cluster.log("w1"))")
        let output = try cluster.cli(["submit", spec, "--wait", "--json"])
        #expect(output.status == 0, "\(output.stderr)\n\(cluster.log("w1"))")
        let local = try DistributedTrainingTests.hash(["train", spec, "--local", "--json"])
        #expect(try Binary.json(output)["weightsSha256"] as? String == local)
        #expect(cluster.log("w1").contains("dataset fetched and verified"), "\(cluster.log("w1"))")
        #expect(Self.piecesAsked(cluster.log("w1")) == [6])
        #expect(cluster.log("coordinator").contains("a worker is fetching the dataset"))
        // A second worker on the same folder fetches nothing and trains the next experiment with the first.
        try cluster.startWorker("w2", extra: ["--fetch-data", cache.path])
        try #require(cluster.waitForLog("w2") { $0.contains("joined the coordinator") }, "\(cluster.log("w2"))")
        #expect(cluster.log("w2").contains("dataset already in the cache; fetching nothing"), "\(cluster.log("w2"))")
        #expect(Self.piecesAsked(cluster.log("w2")).isEmpty)
        let again = try cluster.cli(["submit", spec, "--wait", "--json", "--set", "seed=2", "--min-workers", "2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Binary.json(again)["weightsSha256"] as? String
                == DistributedTrainingTests.hash(["train", spec, "--local", "--json", "--set", "seed=2"]))
    }

    @Test func corruptedPiecesAreRefusedAndFetchedAgain() throws {
        let (cluster, spec) = try Self.cluster(["--debug-corrupt-data-pieces", "2"])
        try cluster.startWorker("w1", extra: ["--fetch-data", cluster.folder.appendingPathComponent("cache").path])
        try #require(cluster.waitForLog("w1") { $0.contains("joined the coordinator") }, "\(cluster.log("w1"))")
        let output = try cluster.cli(["submit", spec, "--wait", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let log = cluster.log("w1")
        #expect(log.components(separatedBy: "refused a piece of the dataset").count - 1 == 2, "\(log)")
        #expect(log.contains("dataset fetched and verified"))
    }

    @Test func aPieceCorruptedEveryTimeEndsTheFetchNamingIt() throws {
        let (cluster, _) = try Self.cluster(["--debug-corrupt-data-pieces", "1000"])
        let worker = try cluster.startWorker(
            "w1", extra: ["--fetch-data", cluster.folder.appendingPathComponent("cache").path])
        #expect(cluster.waitForExit(worker) == 74, "\(cluster.log("w1"))")
        let log = cluster.log("w1")
        #expect(log.contains("cannot fetch the dataset") && log.contains("does not have the digest the manifest names")
                && log.contains("3 times"), "\(log)")
        #expect(log.range(of: #"piece \d of \d of (images|labels)\.npy"#, options: .regularExpression) != nil, "\(log)")
    }

    @Test func aWorkerKilledMidFetchResumesWithTheMissingPieces() throws {
        // 2 KB/s: the first two pieces come at once, then one every two seconds.
        let (cluster, spec) = try Self.cluster(["--serve-data-rate", "0.002"])
        let cache = cluster.folder.appendingPathComponent("cache")
        let first = try cluster.startWorker("w1", extra: ["--fetch-data", cache.path])
        #expect(cluster.waitForLog("w1") { $0.contains("fetching the dataset from the coordinator") })
        Thread.sleep(forTimeInterval: 1)
        kill(first.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(first)
        #expect(!cluster.log("w1").contains("dataset fetched and verified"), "killed before the end")
        try cluster.startWorker("w2", extra: ["--fetch-data", cache.path])
        try #require(cluster.waitForLog("w2", timeout: 60) { $0.contains("joined the coordinator") },
                     "\(cluster.log("w2"))")
        let asked = Self.piecesAsked(cluster.log("w2"))
        #expect(asked.count == 1 && asked[0] > 0 && asked[0] < 6, "resumed: \(cluster.log("w2"))")
        let output = try cluster.cli(["submit", spec, "--wait", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Binary.json(output)["weightsSha256"] as? String
                == DistributedTrainingTests.hash(["train", spec, "--local", "--json"]))
    }

    @Test func aCoordinatorRestartedWithOtherFilesIsFollowedByAFetchOfThem() throws {
        let (cluster, _) = try Self.cluster()
        let cache = cluster.folder.appendingPathComponent("cache")
        try cluster.startWorker("w1", extra: ["--fetch-data", cache.path, "--coordinator-timeout", "2"])
        #expect(cluster.waitForLog("w1") { $0.contains("joined the coordinator") }, "\(cluster.log("w1"))")
        kill(cluster.coordinator!.processIdentifier, SIGKILL)
        _ = cluster.waitForExit(cluster.coordinator!)
        let other = cluster.folder.appendingPathComponent("npy-other")
        let spec = try NPYTrainingTests.writeSet(in: other, labelShift: 1)
        try cluster.startCoordinator(extra: ["--data", other.path, "--debug-data-piece-size", "4096"])
        #expect(cluster.waitForLog("w1", timeout: 60) { $0.contains("now has another dataset; fetching it") },
                "\(cluster.log("w1"))")
        try #require(cluster.waitForLog("w1", timeout: 60) {
            $0.components(separatedBy: "joined the coordinator").count == 3
        }, "\(cluster.log("w1"))")
        #expect(Self.piecesAsked(cluster.log("w1")) == [6, 6])
        let sets = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("by-digest").path)
        #expect(sets.count == 2, "each set in a folder of its own: \(sets)")
        let output = try cluster.cli(["submit", spec, "--wait", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Binary.json(output)["weightsSha256"] as? String
                == DistributedTrainingTests.hash(["train", spec, "--local", "--json"]))
    }

    @Test func twoWorkersSharingAFolderFetchTheSetOnce() throws {
        // 4 KB/s: a fetch of the 6 pieces takes about 4 s, so the second worker starts while the first fetches.
        let (cluster, _) = try Self.cluster(["--serve-data-rate", "0.004"])
        let cache = cluster.folder.appendingPathComponent("cache")
        for name in ["w1", "w2"] { try cluster.startWorker(name, extra: ["--fetch-data", cache.path]) }
        for name in ["w1", "w2"] {
            try #require(cluster.waitForLog(name, timeout: 60) { $0.contains("joined the coordinator") },
                         "\(cluster.log(name))")
        }
        let logs = cluster.log("w1") + cluster.log("w2")
        #expect(logs.components(separatedBy: "dataset fetched and verified").count - 1 == 1, "\(logs)")
        #expect(logs.contains("another worker is fetching the dataset into the same folder"), "\(logs)")
        #expect(logs.contains("another worker fetched the dataset into the cache; fetching nothing"), "\(logs)")
    }

    @Test func aCoordinatorThatServesNoDataSaysSo() throws {
        let (cluster, _) = try Self.cluster(["--serve-data-rate", "0"])
        let worker = try cluster.startWorker(
            "w1", extra: ["--fetch-data", cluster.folder.appendingPathComponent("cache").path])
        #expect(cluster.waitForExit(worker) != 0)
        #expect(cluster.log("w1").contains("--serve-data-rate 0"), "\(cluster.log("w1"))")
    }
}
