import Foundation
import Testing
import Wire

/// Single messages from a client, authorised or not, that once crashed the coordinator (issue 21): each must get
/// an answer, and the coordinator must go on serving.
@Suite(.serialized) struct HostileClientTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    /// A watch that asks for events after sequence 2⁶³ or more trapped in a conversion to `Int64`.
    @Test func watchPastInt64IsAnsweredWithNoEvents() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let id = try cluster.submit(Self.spec, Self.short)
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: cluster.endpoint)
        for after in [UInt64(1) << 63, UInt64.max] {
            let reply = try connection.request(
                .watchRequest(WatchRequest(experimentId: id, afterSequence: after)), timeout: .seconds(10))
            guard case .watchReply(let watch) = reply else {
                Issue.record("no watch reply for after_sequence \(after): \(reply)")
                continue
            }
            #expect(watch.events.isEmpty)
            #expect(watch.summary.id == id)
        }
        #expect(cluster.coordinator?.isRunning == true, "\(cluster.log("coordinator"))")
        #expect(try cluster.cli(["status", id]).status == 0)
    }

    /// A spec whose input sides multiply past `Int` crashed the coordinator at submit, and the CLI before it sent.
    /// The CLI refuses it; sent raw, the coordinator refuses it too and keeps serving.
    @Test func inputSidesPastIntAreRefusedAtSubmit() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let huge = ["--set", "model.input=[2147483647, 2147483647, 2147483647]"]
        let out = try cluster.cli(["submit", Self.spec] + Self.short + huge)
        #expect(out.status != 0 && out.status < 128, "the CLI crashed: \(out.status)")
        #expect(out.stderr.contains("model.input"), "\(out.stderr)")

        var json = try String(contentsOfFile: Self.spec, encoding: .utf8)
        json = json.replacingOccurrences(
            of: "\"input\": [28, 28, 1]", with: "\"input\": [2147483647, 2147483647, 2147483647]")
        #expect(json.contains("2147483647"))
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: cluster.endpoint)
        let error = #expect(throws: WireError.self) {
            try connection.request(.submitRequest(SubmitRequest(specJSON: json)), timeout: .seconds(10))
        }
        #expect(error?.message.contains("model.input") == true, "\(String(describing: error))")
        #expect(cluster.coordinator?.isRunning == true, "\(cluster.log("coordinator"))")
        #expect(try cluster.cli(["list"]).status == 0)
    }

    /// Seven submits with 10 MB names once made the `list` reply larger than a message, and `list` failed for
    /// everyone. Names are capped now, and `list` comes in pages that the CLI follows to the end.
    @Test func listComesInPagesThatTheCLIFollows() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let context = try ZMQContext()
        let connection = try DealerConnection(context: context, connect: cluster.endpoint)
        let json = try String(contentsOfFile: Self.spec, encoding: .utf8)
        let hugeName = try connection.requestError(.submitRequest(SubmitRequest(
            specJSON: json, overrides: ["name=\"" + String(repeating: "n", count: 10 << 20) + "\""])))
        #expect(hugeName?.message.contains("name") == true, "\(String(describing: hugeName))")
        let count = 503
        for _ in 0..<count {
            guard case .submitReply = try connection.request(.submitRequest(SubmitRequest(specJSON: json)),
                                                             timeout: .seconds(10))
            else { Issue.record("no submit reply"); return }
        }
        guard case .listReply(let first) = try connection.request(.listRequest(ListRequest()), timeout: .seconds(10)),
            case .listReply(let rest) = try connection.request(
                .listRequest(ListRequest(afterId: first.experiments.last?.id ?? "")), timeout: .seconds(10)),
            case .listReply(let ten) = try connection.request(
                .listRequest(ListRequest(afterId: "exp-3", limit: 10)), timeout: .seconds(10))
        else { Issue.record("no list reply"); return }
        #expect(first.experiments.count == 500 && first.more)
        #expect(rest.experiments.count == count - 500 && !rest.more)
        #expect(ten.experiments.map(\.id) == (4...13).map { "exp-\($0)" })
        let unknown = try connection.requestError(.listRequest(ListRequest(afterId: "exp-999999")))
        #expect(unknown?.code == .notFound)
        let listed = try cluster.cli(["list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(all.compactMap { $0["id"] as? String } == (1...count).map { "exp-\($0)" })
    }

    /// Clients that send requests and never read the replies grew the coordinator's memory (a thousand queued
    /// replies a peer) and logged a warning per reply dropped. Now a peer's queue holds a few dozen, and a peer
    /// costs one line in the log.
    @Test func clientsThatNeverReadCostALineEachAndNoService() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        let id = try cluster.submit(Self.spec, Self.short)
        let coordinatorPid = try #require(cluster.coordinator?.processIdentifier)
        let rssBefore = try #require(Self.residentMegabytes(of: coordinatorPid))
        let context = try ZMQContext()
        var options = SocketOptions()
        options.receiveHighWaterMark = 1
        options.sendTimeout = .milliseconds(100)
        let peers = 10
        let connections = try (0..<peers).map { _ in
            try DealerConnection(context: context, connect: cluster.endpoint, options: options)
        }
        var sent = 0
        for _ in 0..<5000 {
            for connection in connections {
                // A send that times out is the coordinator holding the peer back: what it should do.
                if (try? connection.send(.statusRequest(ExperimentRequest(experimentId: id)))) != nil { sent += 1 }
            }
        }
        #expect(sent > peers * 100)
        // Ten such peers once took the coordinator from 95 to 435 MB; a few dozen queued replies each are a few MB.
        let rssAfter = try #require(Self.residentMegabytes(of: coordinatorPid))
        print("coordinator RSS with \(peers) clients that never read: \(rssBefore) MB before, \(rssAfter) MB after")
        #expect(rssAfter - rssBefore < 64, "\(rssBefore) MB before, \(rssAfter) MB after")
        #expect(try cluster.cli(["status", id]).status == 0, "a reading client is still served")
        #expect(cluster.waitForLog("coordinator") { $0.contains("could not send") })
        Thread.sleep(forTimeInterval: 0.5)
        let lines = cluster.log("coordinator").split(separator: "\n").filter { $0.contains("could not send") }
        #expect(lines.count >= 1 && lines.count <= peers, "\(lines.count) lines about replies not sent")
        #expect(cluster.coordinator?.isRunning == true)
    }

    /// The resident set of process `pid` in MB (`VmRSS` in `/proc/PID/status`).
    static func residentMegabytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ")[1])
        else { return nil }
        return kilobytes / 1024
    }
}

private extension DealerConnection {
    /// The error a request is answered with; nil when it succeeded.
    func requestError(_ message: WireMessage) throws -> WireError? {
        do {
            _ = try request(message, timeout: .seconds(10))
            return nil
        } catch let error as WireError {
            return error
        }
    }
}
