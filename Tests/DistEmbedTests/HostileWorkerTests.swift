import Foundation
import Testing

/// Workers that misbehave on purpose (issue 21): none of them may stall an experiment or spread a bad number.
@Suite(.serialized) struct HostileWorkerTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    /// Starts a coordinator with `extra` options, then `fake`, then a real worker, and waits until both joined.
    func cluster(
        with fake: FakeWorker.Behaviour, name: String = "fake", extra: [String] = []
    ) throws -> (TestCluster, FakeWorker) {
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: extra)
        let worker = FakeWorker(endpoint: cluster.endpoint, behaviour: fake, name: name)
        worker.start()
        #expect(cluster.waitForLog("coordinator") { $0.contains("worker joined") })
        try cluster.startWorker("w1")
        #expect(cluster.waitForLog("coordinator") { $0.components(separatedBy: "worker joined").count == 3 })
        return (cluster, worker)
    }

    /// A worker that heartbeats but never answers the experiment's setup held every experiment at step 0.
    @Test func unansweredSetupIsTimedOutAndTheRunGoesOn() throws {
        let (cluster, fake) = try cluster(with: .ignoresSetups, extra: ["--setup-timeout", "2"])
        defer { fake.stop() }
        let out = try cluster.cli(["submit", Self.spec, "--wait", "--json"] + Self.short)
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        #expect(try Binary.json(out)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
        #expect(cluster.log("coordinator").contains("no answer to the experiment's setup"))
        #expect(fake.count("experimentSetup") >= 1)
    }

    /// One worker's NaN gradient turned every weight to NaN in one step. Now the result is refused, its chunks
    /// are computed again by an honest worker, and the weights are those of an undisturbed run.
    @Test func nonFiniteGradientIsComputedAgainElsewhere() throws {
        let (cluster, fake) = try cluster(with: .sendsNaNGradients)
        defer { fake.stop() }
        let out = try cluster.cli(["submit", Self.spec, "--wait", "--json"] + Self.short)
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        #expect(try Binary.json(out)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
        #expect(fake.count("workAssignment") >= 1)
        #expect(cluster.log("coordinator").contains("not finite"))
    }

    /// When the worker that computes a refused chunk again gets a non-finite result too, the step diverged: the
    /// experiment fails there, naming the step and the learning rate, instead of training on.
    @Test func nonFiniteTwiceForTheSameChunksFailsTheExperiment() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let fake = FakeWorker(endpoint: cluster.endpoint, behaviour: .sendsNaNGradients)
        fake.start()
        defer { fake.stop() }
        #expect(cluster.waitForLog("coordinator") { $0.contains("worker joined") })
        let out = try cluster.cli(["submit", Self.spec, "--wait"] + Self.short)
        #expect(out.status != 0)
        #expect(out.stderr.contains("training diverged at epoch 1, step 0"), "\(out.stderr)")
        #expect(out.stderr.contains("not finite"), "\(out.stderr)")
        #expect(out.stderr.contains("training.learningRate"), "\(out.stderr)")
        #expect(fake.count("hello") >= 2, "the fake was dropped once and said hello again")
        #expect(cluster.coordinator?.isRunning == true)
    }

    /// A worker that said hello again in the middle of a step was forgotten, but its chunks were only dealt again
    /// when the scheduler timed it out (issue 19). With timeouts of ten minutes, a run that ends within a minute
    /// had them dealt again at once.
    @Test func helloMidStepDealsTheChunksAgainAtOnce() throws {
        let (cluster, fake) = try cluster(
            with: .saysHelloAgainMidStep, extra: ["--heartbeat-timeout", "600", "--result-timeout", "600"])
        defer { fake.stop() }
        let id = try cluster.submit(Self.spec, Self.short)
        let deadline = Date().addingTimeInterval(60)
        var state = ""
        while Date() < deadline && !["done", "failed"].contains(state) {
            Thread.sleep(forTimeInterval: 0.2)
            state = try Binary.json(try cluster.cli(["status", id, "--json"]))["state"] as? String ?? ""
        }
        #expect(state == "done", "\(cluster.log("coordinator"))")
        let results = try cluster.cli(["results", id, "--json"])
        #expect(try Binary.json(results)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
        #expect(fake.count("hello") == 2)
        #expect(fake.count("workAssignment") >= 1)
        #expect(cluster.log("coordinator").contains("said hello again"))
    }

    /// A worker's name, refusal and error went raw into the log (a newline forged a line) and into `watch`
    /// output (an escape sequence could clear the terminal). Both are escaped now.
    @Test func peerTextIsEscapedInLogsAndTerminals() throws {
        let forged = "\n2026-01-01T00:00:00 critical FORGED\u{1B}[2J\u{1B}]0;owned\u{07}"
        let (cluster, fake) = try cluster(
            with: .refusesSetups(reason: "cannot" + forged + String(repeating: "x", count: 100_000)),
            name: "evil" + forged)
        defer { fake.stop() }
        let id = try cluster.submit(Self.spec, Self.short)
        let watch = try cluster.cli(["watch", id])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(fake.count("experimentSetup") >= 1)
        let log = cluster.log("coordinator")
        #expect(log.contains("could not set up the experiment"))
        #expect(watch.stderr.contains("refused the experiment"), "\(watch.stderr)")
        for (what, text) in [("log", log), ("watch", watch.stdout + watch.stderr)] {
            #expect(!text.contains("\u{1B}"), "an escape sequence reached the \(what)")
            #expect(!text.contains("\u{07}"), "a bell reached the \(what)")
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("2026-01-01") }, "a forged \(what) line")
            #expect(!text.contains(String(repeating: "x", count: 5000)), "the 100 kB reason reached the \(what)")
        }
        #expect(log.contains("\\u{1B}[2J"), "escaped, not dropped")
    }

    /// A worker that sends well-formed, finite, wrong gradients (a faulty host) went unnoticed. With every run
    /// audited, two honest workers outvote it: it is dropped, its result replaced, and the weights are right.
    @Test func aWorkerWithWrongBitsIsOutvotedAndDropped() throws {
        let (cluster, fake) = try cluster(with: .sendsZeroGradients)
        defer { fake.stop() }
        try cluster.startWorker("w2")
        #expect(cluster.waitForLog("coordinator") { $0.components(separatedBy: "worker joined").count == 4 })
        let out = try cluster.cli(
            ["submit", Self.spec, "--wait", "--json"] + Self.short + ["--set", "determinism.auditFraction=1"])
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        let json = try Binary.json(out)
        #expect(try json["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
        let events = try #require(json["events"] as? [String: Any])
        #expect((events["auditMismatches"] as? Int ?? 0) >= 1, "\(events)")
        #expect(fake.count("workAssignment") >= 1)
        let log = cluster.log("coordinator")
        #expect(log.contains("differed from two others"), "\(log)")
    }

    /// With only two workers, nobody can tell which of two different results is right: the run stops there and
    /// names both, instead of training on either.
    @Test func twoWorkersThatDisagreeStopTheRun() throws {
        let (cluster, fake) = try cluster(with: .sendsZeroGradients)
        defer { fake.stop() }
        let out = try cluster.cli(["submit", Self.spec, "--wait"] + Self.short + ["--set", "determinism.auditFraction=1"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("audit: workers"), "\(out.stderr)")
        #expect(out.stderr.contains("no third worker"), "\(out.stderr)")
        #expect(out.stderr.contains("fake") && out.stderr.contains("w1"), "\(out.stderr)")
    }
}
