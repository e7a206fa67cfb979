import Foundation
import Testing

/// Each kind of failure has its own exit status (README.md lists them), and only a mistake in the command line
/// comes with the usage text.
@Suite struct ExitStatusTests {
    static let spec = DistributedTrainingTests.spec

    func expectFailure(_ arguments: [String], status: Int32, saying text: String) throws {
        let out = try Binary.run(arguments)
        #expect(out.status == status, "\(arguments): \(out.stderr)")
        #expect(out.stderr.contains(text), "\(arguments): \(out.stderr)")
        if status == 64 {
            #expect(out.stderr.contains("Usage:"), "\(out.stderr)")
        } else {
            #expect(!out.stderr.contains("Usage:"), "a runtime error is not a usage mistake: \(out.stderr)")
            #expect(out.stderr.split(separator: "\n").contains { $0.hasPrefix("error: ") }, "\(out.stderr)")
        }
    }

    @Test func aMistakeInTheCommandLineIs64WithTheUsage() throws {
        try expectFailure(["list", "--no-such-option"], status: 64, saying: "Unknown option '--no-such-option'")
    }

    @Test func aBadSpecIs65() throws {
        try expectFailure(["train", Self.spec, "--set", "training.epochs=0"], status: 65,
                          saying: "training.epochs: must be at least 1 (from --set training.epochs=0)")
        try expectFailure(["submit", Self.spec, "--set", "training.epocs=2"], status: 65,
                          saying: "did you mean `epochs`?")
    }

    @Test func aSpecFileThatCannotBeReadIs66() throws {
        try expectFailure(["train", "/nonexistent/spec.json"], status: 66,
                          saying: "cannot read the spec file /nonexistent/spec.json")
    }

    @Test func anUnreachableCoordinatorIs69() throws {
        try expectFailure(["list", "--coordinator", "tcp://127.0.0.1:9"], status: 69,
                          saying: "no answer from the coordinator")
    }

    @Test func anEndpointThatCannotBeBoundIs74() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("exit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: store) }
        // 192.0.2.1 (TEST-NET-1) is no address of this host.
        try expectFailure(["coordinator", "--listen", "tcp://192.0.2.1:5555", "--store", store.path, "--insecure"],
                          status: 74, saying: "cannot start the coordinator")
    }

    @Test func listeningOffLoopbackWithoutKeysIs78() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("exit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: store) }
        try expectFailure(["coordinator", "--listen", "tcp://192.0.2.1:5555", "--store", store.path], status: 78,
                          saying: "refusing to listen on tcp://192.0.2.1:5555 without CURVE")
    }

    @Test func trainNeedsNoLocalFlagAndStillAcceptsIt() throws {
        let short = DistributedTrainingTests.short + ["--json"]
        let without = try Binary.run(["train", Self.spec] + short)
        #expect(without.status == 0, "\(without.stderr)")
        #expect(try Binary.json(without)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
    }
}
