import Foundation
import Testing

/// The coordinator's `--metrics-listen` endpoint on a real cluster: Prometheus text that parses, counters that
/// move during a run and add up after it, the probes, 404 for other paths, and a busy port refused by name.
@Suite(.serialized) struct MetricsTests {
    static let spec = DistributedTrainingTests.spec
    /// 2 epochs of 300 samples in batches of 32: 10 steps an epoch, the last of 12 samples.
    static let short = DistributedTrainingTests.short
    static let shortSteps = 20.0
    static let shortSamples = 600.0

    func submit(_ cluster: TestCluster, _ extra: [String] = []) throws -> String {
        try cluster.submit(Self.spec, Self.short + extra)
    }

    /// Scrapes until `condition` holds (at most `timeout` seconds) and returns the last scrape.
    func scrape(port: UInt16, timeout: Double = 30, until condition: (PrometheusText) -> Bool) throws
        -> PrometheusText
    {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let response = try HTTPGet.fetch(port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let metrics = try PrometheusText(parsing: response.body)
            if condition(metrics) || Date() > deadline { return metrics }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    @Test func countersMoveDuringARunAndParseAsPrometheusText() throws {
        let port = try FreePort.find()
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: ["--metrics-listen", "127.0.0.1:\(port)"])

        #expect(try HTTPGet.fetch(port: port, path: "/healthz").status == 200)
        let deadline = Date().addingTimeInterval(10)
        while try HTTPGet.fetch(port: port, path: "/readyz").status != 200 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try HTTPGet.fetch(port: port, path: "/readyz").status == 200)
        let unknown = try HTTPGet.fetch(port: port, path: "/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.body.contains("/metrics"), "a 404 names the paths there are: \(unknown.body)")

        let idle = try scrape(port: port) { $0["distembed_experiments", ["state": "done"]] == 0 }
        #expect(idle["distembed_steps_total"] == 0)
        #expect(idle["distembed_samples_total"] == 0)
        #expect(idle["distembed_workers_connected"] == 0)
        for name in ["distembed_experiments", "distembed_workers_connected", "distembed_samples_per_second"] {
            #expect(idle.types[name] == "gauge", "\(name)")
        }
        for name in ["distembed_steps_total", "distembed_samples_total", "distembed_workers_joined_total",
                     "distembed_workers_lost_total"]
        {
            #expect(idle.types[name] == "counter", "\(name)")
        }
        #expect(idle.types["distembed_step_phase_seconds"] == "histogram")
        #expect(idle.types["distembed_checkpoint_seconds"] == "histogram")

        try cluster.startWorker("w1")
        try cluster.startWorker("w2")
        let first = try submit(cluster)
        let watched = try cluster.cli(["watch", first, "--json"])
        #expect(try Binary.json(watched)["state"] as? String == "done", "\(watched.stderr)")

        // After one short run: exact step and sample totals, one observation per step in every phase.
        let done = try scrape(port: port) { $0["distembed_experiments", ["state": "done"]] == 1 }
        #expect(done["distembed_experiments", ["state": "done"]] == 1)
        #expect(done["distembed_experiments", ["state": "running"]] == 0)
        #expect(done["distembed_steps_total"] == Self.shortSteps)
        #expect(done["distembed_samples_total"] == Self.shortSamples)
        #expect(done["distembed_workers_joined_total"] == 2)
        #expect(done["distembed_workers_connected"] == 2)
        for phase in ["compute", "wait", "reduce", "optimizer"] {
            let labels = ["phase": phase]
            #expect(done["distembed_step_phase_seconds_count", labels] == Self.shortSteps, "\(phase)")
            #expect(done["distembed_step_phase_seconds_bucket", labels.merging(["le": "+Inf"]) { $1 }]
                    == Self.shortSteps, "\(phase)")
            #expect(done.buckets("distembed_step_phase_seconds", labels).count > 5, "\(phase) has buckets")
        }
        #expect((done["distembed_step_phase_seconds_sum", ["phase": "compute"]] ?? 0) > 0)
        #expect((done["distembed_checkpoint_seconds_count"] ?? 0) >= 1, "a checkpoint at the end of epoch 1")

        // During a long run: steps, samples and the rate move between scrapes; a worker leaving is counted.
        let long = try submit(cluster, ["--set", "training.epochs=500"])
        let moving = try scrape(port: port) {
            ($0["distembed_steps_total"] ?? 0) > Self.shortSteps && ($0["distembed_samples_per_second"] ?? 0) > 0
                && $0["distembed_experiments", ["state": "running"]] == 1
        }
        #expect(moving["distembed_experiments", ["state": "running"]] == 1)
        #expect((moving["distembed_samples_per_second"] ?? 0) > 0)
        let later = try scrape(port: port) {
            ($0["distembed_steps_total"] ?? 0) > (moving["distembed_steps_total"] ?? .infinity)
        }
        #expect((later["distembed_steps_total"] ?? 0) > (moving["distembed_steps_total"] ?? .infinity))
        #expect((later["distembed_samples_total"] ?? 0) > (moving["distembed_samples_total"] ?? .infinity))
        let w2 = try #require(cluster.workers["w2"])
        w2.terminate()
        _ = cluster.waitForExit(w2)
        let lost = try scrape(port: port) {
            $0["distembed_workers_lost_total"] == 1 && $0["distembed_workers_connected"] == 1
        }
        #expect(lost["distembed_workers_lost_total"] == 1)
        #expect(lost["distembed_workers_connected"] == 1)
        #expect(try cluster.cli(["cancel", long]).status == 0)
        let cancelled = try scrape(port: port) { $0["distembed_experiments", ["state": "cancelled"]] == 1 }
        #expect(cancelled["distembed_experiments", ["state": "cancelled"]] == 1)
        #expect(cancelled["distembed_samples_per_second"] == 0)
    }

    /// The port comes from the environment (DISTEMBED_METRICS_LISTEN) and is already taken: the coordinator
    /// stops at once and says which address and what to do.
    @Test func aBusyPortIsRefusedByName() throws {
        let holder = try FreePort.listening()
        defer { close(holder.socket) }
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-busy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: store) }
        let out = try Binary.run(
            ["coordinator", "--listen", "tcp://127.0.0.1:*", "--store", store.path],
            environment: ["DISTEMBED_METRICS_LISTEN": "127.0.0.1:\(holder.port)"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("127.0.0.1:\(holder.port)"), "\(out.stderr)")
        #expect(out.stderr.contains("another process holds the port"), "\(out.stderr)")
    }

    @Test func aMalformedAddressSaysWhatItExpects() throws {
        let out = try Binary.run(["coordinator", "--metrics-listen", "9464"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("expected HOST:PORT"), "\(out.stderr)")
    }

    @Test(arguments: [
        "distembed_up 1\n",  // no # TYPE
        "# TYPE a counter\na{x=1} 2\n",  // unquoted label value
        "# TYPE a counter\na 1 2 3\n",  // trailing junk
        "# TYPE a counter\na one\n",  // not a number
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",  // buckets go down
    ])
    func theParserRejectsMalformedText(text: String) {
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText(parsing: text) }
    }
}

/// The Prometheus text exposition format (0.0.4), strictly: `# TYPE` before a family's samples, every sample
/// `name{label="value",...} value`, histogram buckets cumulative with `+Inf` equal to `_count`.
struct PrometheusText {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        for line in text.split(separator: "\n").map(String.init) where !line.isEmpty {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if parts.count == 4, parts[1] == "TYPE" {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Malformed(description: "unknown type: \(line)")
                    }
                    types[parts[2]] = parts[3]
                }
                continue
            }
            let sample = try Self.sample(line)
            guard types[Self.family(of: sample.name)] != nil else {
                throw Malformed(description: "no # TYPE before \(line)")
            }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The value of the sample with this name and exactly these labels.
    subscript(name: String, labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The `_bucket` samples of one histogram series, by upper bound.
    func buckets(_ name: String, _ labels: [String: String]) -> [(le: Double, count: Double)] {
        samples.compactMap { s in
            guard s.name == name + "_bucket", let le = s.labels["le"].flatMap(Self.number),
                s.labels.filter({ $0.key != "le" }) == labels
            else { return nil }
            return (le, s.value)
        }.sorted { $0.le < $1.le }
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            let series = Set(samples.filter { $0.name == name + "_count" }.map(\.labels))
            for labels in series {
                let counts = buckets(name, labels).map(\.count)
                guard counts == counts.sorted(), counts.last == self[name + "_count", labels] else {
                    throw Malformed(description: "\(name)\(labels): buckets \(counts) are not cumulative up to "
                        + "_count \(self[name + "_count", labels] ?? .nan)")
                }
            }
        }
    }

    private static func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }

    private static func sample(_ line: String) throws -> Sample {
        let pattern = /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)/
        guard let m = line.wholeMatch(of: pattern), let value = number(String(m.3)) else {
            throw Malformed(description: "not a sample: \(line)")
        }
        var labels: [String: String] = [:]
        if let body = m.2?.dropFirst().dropLast(), !body.isEmpty {
            for pair in body.split(separator: ",") {
                guard let l = pair.wholeMatch(of: /([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/) else {
                    throw Malformed(description: "bad label \(pair) in \(line)")
                }
                labels[String(l.1)] = String(l.2)
            }
        }
        return Sample(name: String(m.1), labels: labels, value: value)
    }
}

/// One HTTP/1.1 GET over a plain socket, enough for the coordinator's endpoint (`Connection: close`).
enum HTTPGet {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func fetch(port: UInt16, path: String) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClusterError(message: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = FreePort.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            throw TestClusterError(message: "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw TestClusterError(message: "no HTTP response from 127.0.0.1:\(port)\(path): \(text)")
        }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = head.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[line[..<colon].lowercased()] = value
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// Loopback TCP ports for tests.
enum FreePort {
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A socket listening on a port the kernel chose, and that port.
    static func listening() throws -> (socket: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ok else {
            throw TestClusterError(message: "cannot bind a loopback port: \(String(cString: strerror(errno)))")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port that was free a moment ago.
    static func find() throws -> UInt16 {
        let (fd, port) = try listening()
        close(fd)
        return port
    }
}
