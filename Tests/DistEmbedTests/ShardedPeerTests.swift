import Foundation
import Testing
import Wire

/// The peer port of a sharded group's member is open to anyone who can reach it: a stranger that sends garbage,
/// messages of groups that do not exist, wrong lengths and floods of early messages must not crash a member, wedge
/// the group or change a bit.
@Suite(.serialized) struct ShardedPeerTests {
    static let sharded = ["--no-shared-memory", "--peer-listen", "tcp://127.0.0.1:*"]

    /// Sends every kind of bad peer input to `endpoint` until `stop` is set, counting what went out.
    final class Stranger: @unchecked Sendable {
        private let endpoint: String
        private let lock = NSLock()
        private var stopping = false
        private(set) var sent = 0
        private let done = DispatchSemaphore(value: 0)

        init(endpoint: String) { self.endpoint = endpoint }

        func start() {
            Thread.detachNewThread { [self] in
                defer { done.signal() }
                guard let context = try? ZMQContext() else { return }
                defer { context.shutdown() }
                var options = SocketOptions()
                options.sendTimeout = .milliseconds(200)
                options.linger = .zero
                guard let raw = try? ZMQSocket(.dealer, context: context, options: options),
                    (try? raw.connect(endpoint)) != nil,
                    let link = try? DealerConnection(context: context, connect: endpoint, options: options)
                else { return }
                var round: UInt64 = 0
                while !isStopping {
                    round += 1
                    let bogus: [WireMessage] = [
                        .gradientSlices(GradientSlices(
                            experimentId: "exp-1", group: round, weightsVersion: round, senderRank: 0,
                            subtrees: [Subtree(level: 31, index: .max, gradient: Tensor([1, 2, 3]))])),
                        .gradientSlices(GradientSlices(
                            experimentId: "exp-1", group: round, weightsVersion: 0, senderRank: .max, subtrees: [])),
                        .weightShard(WeightShard(
                            experimentId: "exp-1", group: round, weightsVersion: .max, rank: 1,
                            weights: Tensor([Float](repeating: .nan, count: 4096)))),
                        .hello(Hello(name: "stranger", host: "x", pid: 1, cores: 1, datasets: [], kernelFingerprint: "")),
                    ]
                    for message in bogus { if (try? link.send(message)) != nil { count() } }
                    if (try? raw.send([[0xFF, 0x00, 0x13, 0x37], []])) != nil { count() }
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
        }

        private var isStopping: Bool { lock.withLock { stopping } }
        private func count() { lock.withLock { sent += 1 } }
        var messagesSent: Int { lock.withLock { sent } }

        func stop() {
            lock.withLock { stopping = true }
            done.wait()
        }
    }

    @Test func strangerOnThePeerPortChangesNothing() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1", extra: Self.sharded)
        try cluster.startWorker("w2", extra: Self.sharded)
        var endpoint = ""
        #expect(cluster.waitForLog("w1") { log in
            guard let line = log.split(separator: "\n").first(where: { $0.contains("taking part in sharded groups") }),
                let start = line.range(of: "peer endpoint=")
            else { return false }
            endpoint = String(line[start.upperBound...].prefix { !$0.isWhitespace })
            return true
        })
        let stranger = Stranger(endpoint: endpoint)
        stranger.start()
        let out = try cluster.cli(
            ["submit", DistributedTrainingTests.spec, "--wait", "--json", "--min-workers", "2"]
                + DistributedTrainingTests.short)
        stranger.stop()
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        let result = try Binary.json(out)
        #expect(try result["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
        let events = try #require(result["events"] as? [String: Any])
        #expect(events["shardedGroups"] as? Int == 1 && events["shardedRollbacks"] as? Int == 0, "\(events)")
        #expect(stranger.messagesSent > 100, "the stranger got its messages out")
        #expect(cluster.log("coordinator").contains("sharded group formed"), "\(cluster.log("coordinator"))")
        let w1 = cluster.log("w1")
        // Said, but not once per message: at most a line every 10 s.
        let complaints = w1.components(separatedBy: "peer message").count - 1
        #expect(complaints >= 1 && complaints < 10, "\(w1.suffix(2000))")
        #expect(cluster.workers["w1"]?.isRunning == true && cluster.workers["w2"]?.isRunning == true)
    }
}
