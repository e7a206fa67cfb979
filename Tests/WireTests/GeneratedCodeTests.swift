import Foundation
import Testing

/// The protoc-c output committed in `Sources/CDistEmbedProto` must match `Sources/Wire/Proto/distembed.proto`.
@Suite("Generated protobuf-c code")
struct GeneratedCodeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var protocAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/protoc-c")
        }
    }

    @Test(
        "is up to date with distembed.proto",
        .enabled(if: protocAvailable, "protoc-c is not installed (apt-get install protobuf-c-compiler)"))
    func upToDate() throws {
        let process = Process()
        process.executableURL = Self.packageRoot.appendingPathComponent("scripts/gen-proto.sh")
        process.arguments = ["--check"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "run scripts/gen-proto.sh:\n\(text.prefix(2000))")
    }
}
