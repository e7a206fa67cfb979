import Core
import Foundation
import Testing

/// Seed sweeps through the real binary: submit, watch, status, list, results (text, JSON, report) and cancel of a
/// sweep, and `run --seeds`; each seed's weights are those of a single run with that seed.
@Suite(.serialized) struct SweepTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    /// `train --local` with `seed`, the reference for the sweep's row of that seed.
    static func localHash(seed: Int) throws -> String {
        try DistributedTrainingTests.hash(["train", spec, "--local", "--json", "--set", "seed=\(seed)"] + short)
    }

    @Test func aSweepRunsOneExperimentPerSeedAndSummarisesThem() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let submitted = try cluster.cli([
            "submit", Self.spec, "--seeds", "1-3", "--json", "--set", "evaluation.seeds=[1,2,3,4]",
        ] + Self.short)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let reply = try Binary.json(submitted)
        let sweep = try #require(reply["sweepId"] as? String)
        let ids = try #require(reply["experimentIds"] as? [String])
        #expect(ids.count == 3)

        let watched = try cluster.cli(["watch", sweep, "--json"])
        #expect(watched.status == 0, "\(watched.stderr)")
        let final = try Binary.json(watched)
        #expect(final["state"] as? String == "done")
        #expect((final["experiments"] as? [[String: Any]])?.map { $0["seed"] as? Int } == [1, 2, 3])
        #expect(watched.stderr.contains("seed 3 (\(ids[2])): epoch 2/2"), "watch shows each seed's epochs: \(watched.stderr)")

        let out = try cluster.cli(["results", sweep, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let results = try Binary.json(out)
        let rows = try #require(results["rows"] as? [[String: Any]])
        #expect(rows.count == 3 && results["done"] as? Int == 3)
        #expect(rows.map { $0["experimentId"] as? String } == ids)
        for (row, seed) in zip(rows, 1...3) {
            #expect(row["seed"] as? Int == seed && row["state"] as? String == "done")
            #expect(row["weightsSha256"] as? String == (try Self.localHash(seed: seed)), "seed \(seed)")
        }
        try expectStatistics(results, consistentWith: rows)

        let member = try Binary.json(try cluster.cli(["results", ids[1], "--json"]))
        try expectDrawSeeds(member)

        let text = try cluster.cli(["results", sweep])
        #expect(text.stdout.contains("mean ± sd") && text.stdout.contains("answers:"), "\(text.stdout)")
        let lines = text.stdout.split(separator: "\n")
        for option in ExerciseAnswer.allCases {
            #expect(lines.contains { $0.hasPrefix("  \(option.label) ") && $0.hasSuffix(option.statement) },
                    "the legend: \(text.stdout)")
        }
        let list = try cluster.cli(["list"])
        #expect(list.stdout.contains(sweep) && list.stdout.contains("3 seeds: 3 of 3 done"), "\(list.stdout)")
        #expect(!list.stdout.contains(ids[0] + " "), "a sweep's experiments fold into its row: \(list.stdout)")
        let status = try cluster.cli(["status", sweep])
        #expect(ids.allSatisfy { status.stdout.contains($0) } && status.stdout.contains("seed 2"), "\(status.stdout)")
        // ID NAME STATE EPOCH LOSS ACCURACY: the sweep's row has the epochs of its seeds and no seed's loss.
        for table in [list.stdout, status.stdout] {
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix(sweep + " ") })
            let columns = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(Array(columns[2...5]) == ["done", "2/2", "-", "-"], "\(row)")
        }

        let report = cluster.folder.appendingPathComponent("sweep.html").path
        #expect(try cluster.cli(["results", sweep, "--report", report]).status == 0)
        let page = try String(contentsOfFile: report, encoding: .utf8)
        #expect(page.contains("Distributions over seeds") && page.contains("Contrastive after"))
        #expect(page.components(separatedBy: "class=\"mean\"").count - 1 == 5, "a mean bar per strip")
    }

    /// The sweep's mean, sample sd and answer counts recomputed from its rows.
    private func expectStatistics(_ results: [String: Any], consistentWith rows: [[String: Any]]) throws {
        func expectMatches(_ statistic: Any?, _ values: [Double], _ what: String) throws {
            let s = try #require(statistic as? [String: Any], "\(what)")
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
            #expect(s["count"] as? Int == values.count, "\(what)")
            #expect(abs((s["mean"] as? Double ?? .nan) - mean) < 1e-12, "\(what)")
            #expect(abs((s["sd"] as? Double ?? .nan) - sd) < 1e-12, "\(what)")
        }
        try expectMatches(results["testAccuracy"], rows.map { $0["testAccuracy"] as! Double }, "test accuracy")
        let losses = try #require(results["losses"] as? [String: [String: Any]])
        for loss in ["contrastive", "triplet"] {
            for when in ["before", "after"] {
                let values = rows.map { (($0["losses"] as! [String: Any])[loss] as! [String: Double])[when]! }
                try expectMatches(losses[loss]?[when], values, "\(loss) \(when)")
            }
        }
        let answers = try #require(results["answers"] as? [String: Int])
        for option in ["a", "b", "c", "d", "none"] {
            #expect(answers[option] == rows.filter { $0["exerciseAnswer"] as? String == option }.count, "\(option)")
        }
    }

    /// `evaluation.seeds` [1, 2, 3, 4]: a row per draw seed, seed 1's row equal to the exercise's single draw,
    /// and mean and sd that summarise the rows.
    private func expectDrawSeeds(_ result: [String: Any]) throws {
        let draws = try #require(result["drawSeeds"] as? [String: Any])
        let rows = try #require(draws["rows"] as? [[String: Any]])
        #expect(rows.map { $0["seed"] as? Int } == [1, 2, 3, 4])
        let losses = try #require(result["losses"] as? NSDictionary)
        #expect(rows[0]["losses"] as? NSDictionary == losses, "draw seed 1 is the exercise's draw")
        let statistics = try #require(draws["statistics"] as? [String: [String: [String: Any]]])
        let values = rows.map { (($0["losses"] as! [String: Any])["triplet"] as! [String: Double])["before"]! }
        let mean = values.reduce(0, +) / 4
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        let stat = try #require(statistics["triplet"]?["before"])
        #expect(abs((stat["mean"] as? Double ?? .nan) - mean) < 1e-12)
        #expect(abs((stat["sd"] as? Double ?? .nan) - sd) < 1e-12)
        #expect(Set(values).count > 1, "other draws give other values")
    }

    @Test func runWithSeedsTrainsEachSeedOnOneClusterAndPrintsTheSweep() throws {
        let output = try Binary.run(["run", Self.spec, "--workers", "2", "--seeds", "2,1", "--json"] + Self.short)
        #expect(output.status == 0, "\(output.stderr)")
        let results = try Binary.json(output)
        let rows = try #require(results["rows"] as? [[String: Any]])
        #expect(rows.map { $0["seed"] as? Int } == [2, 1])
        let expected = [try Self.localHash(seed: 2), try Self.localHash(seed: 1)]
        #expect(rows.map { $0["weightsSha256"] as? String } == expected)
        #expect(results["done"] as? Int == 2)
    }

    @Test func cancellingASweepCancelsEveryExperiment() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let submitted = try cluster.cli(["submit", Self.spec, "--seeds", "1-3", "--json"] + Self.short
            + ["--set", "training.epochs=500"])
        let sweep = try #require(try Binary.json(submitted)["sweepId"] as? String)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try Binary.json(try cluster.cli(["status", sweep, "--json"]))["state"] as? String
            != "running"
        {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try cluster.cli(["cancel", sweep]).status == 0)
        var states: [String?] = []
        while Date() < deadline {
            let status = try Binary.json(try cluster.cli(["status", sweep, "--json"]))
            states = (status["experiments"] as? [[String: Any]] ?? []).map { $0["state"] as? String }
            if status["state"] as? String == "cancelled" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(states == ["cancelled", "cancelled", "cancelled"])
    }

    @Test(arguments: [("3-1", "runs backwards"), ("1,x", "\"x\" is neither a seed"), ("1,1", "lists seed 1 twice")])
    func badSeedListsAreRefusedBeforeAnythingIsQueued(seeds: String, problem: String) throws {
        let out = try Binary.run(["submit", Self.spec, "--seeds", seeds, "--coordinator", "tcp://127.0.0.1:9"])
        #expect(out.status != 0)
        #expect(out.stderr.contains(problem), "\(out.stderr)")
        #expect(!out.stderr.contains("no answer from the coordinator"), "refused before connecting")
    }
}
