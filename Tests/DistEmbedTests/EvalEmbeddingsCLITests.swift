import Core
import Foundation
import Testing

/// Python 3 with NumPy, which runs the exercise's own loss functions for the cross-check (never the product).
private enum Python {
    /// `Tests/Tools/exercise_losses.py`, found from this file's path.
    static let exerciseTool = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/exercise_losses.py")

    /// Whether `python3 -c "import numpy"` succeeds.
    static let hasNumPy: Bool = (try? run(["-c", "import numpy"]).status) == 0

    /// Runs `python3 ARGUMENTS` and returns its status and stdout.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A scratch directory for one test's `.npy` files, removed by `remove()`.
private struct ScratchDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("eval-embeddings-\(UUID())")

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }

    /// Writes `array` as `name` and returns its path.
    func write(_ array: NPYArray, _ name: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try NPYWriter.write(array, toPath: path)
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// One random cross-check input: embeddings of either precision and labels with a chosen number of classes.
private struct CrossCheckCase: CustomStringConvertible {
    var size: Int
    var classes: Int
    var float32: Bool
    var seed: Int
    var embeddings: NPYArray
    var labels: NPYArray

    init(size: Int, classes: Int, float32: Bool, seed: Int, generator: inout PythonRandom) {
        self.size = size
        self.classes = classes
        self.float32 = float32
        self.seed = seed
        let columns = [1, 3, 64, 64, 200][generator.randbelow(5)]
        // Scales and offsets vary; half the sets are ReLU-like with many exact zeros, as a real embedding layer gives.
        let scale = [1e-3, 1, 50][generator.randbelow(3)]
        let offset = generator.randbelow(2) == 0 ? 0 : -scale / 2
        let relu = generator.randbelow(2) == 0
        let values = (0..<(size * columns)).map { _ in
            let value = Double(generator.getrandbits(53)) / 0x1p53 * scale + offset
            return relu ? max(0, value) : value
        }
        embeddings = NPYArray(
            shape: [size, columns], contents: float32 ? .float32(values.map(Float.init)) : .float64(values))
        // Sparse ids, and skewed class sizes: the first class often takes most rows, so runs of same-class pairs
        // (float32 totals) and singleton classes (a positive that is the anchor) both occur.
        let ids = (0..<classes).map { $0 * 13 - 20 }
        let skewed = generator.randbelow(2) == 0
        var classIDs = (0..<size).map { _ in
            skewed && generator.randbelow(4) != 0 ? ids[0] : ids[generator.randbelow(classes)]
        }
        // With two or more classes asked for, make sure the set has two, so that the case compares values.
        if classes > 1, classIDs.allSatisfy({ $0 == classIDs[0] }) {
            classIDs[size - 1] = classIDs[0] == ids[0] ? ids[1] : ids[0]
        }
        // Integral float labels are accepted as class ids too.
        labels =
            generator.randbelow(4) == 0
            ? NPYArray(shape: [size], contents: .float64(classIDs.map(Double.init)))
            : NPYArray(shape: [size], contents: .int64(classIDs.map(Int64.init)))
    }

    /// Whether the labels hold a single class or the embeddings a single value: inputs both sides must reject.
    var isDegenerate: Bool { Set(labels.float64Values).count == 1 || Set(embeddings.float64Values).count == 1 }

    var description: String {
        let type = float32 ? "float32" : "float64"
        return "size \(size), \(classes) classes, \(type) \(embeddings.shapeDescription), seed \(seed)"
    }
}

@Suite("distembed eval-embeddings")
struct EvalEmbeddingsCLITests {
    @Test(
        "agrees with the exercise's own Python code within 1e-6 on random inputs",
        .enabled(if: Python.hasNumPy, "python3 with numpy is not installed; the cross-check needs it"))
    func crossCheck() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var generator = PythonRandom(seed: 2_024)
        var cases: [CrossCheckCase] = []
        for size in [2, 3, 50, 500] {
            for classes in 1...10 {
                for float32 in [true, false] {
                    let seed = [1, 1, 0, 42, (1 << 40) + 3][generator.randbelow(5)]
                    let crossCase = CrossCheckCase(
                        size: size, classes: classes, float32: float32, seed: seed, generator: &generator)
                    cases.append(crossCase)
                }
            }
        }
        // One Python process per seed, each evaluating many file pairs (NumPy's import dominates otherwise).
        var expected: [Int: [String: Any]] = [:]
        for seed in Set(cases.map(\.seed)).sorted() {
            let indices = cases.indices.filter { cases[$0].seed == seed }
            var arguments = [Python.exerciseTool.path, "--seed", String(seed)]
            for index in indices {
                arguments.append(try scratch.write(cases[index].embeddings, "e\(index).npy"))
                arguments.append(try scratch.write(cases[index].labels, "l\(index).npy"))
            }
            let python = try Python.run(arguments)
            try #require(python.status == 0, "exercise_losses.py failed")
            let lines = python.stdout.split(separator: "\n")
            try #require(lines.count == indices.count)
            for (index, line) in zip(indices, lines) {
                expected[index] = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
        }

        var largest = (contrastive: 0.0, triplet: 0.0)
        var compared = 0
        for (index, crossCase) in cases.enumerated() {
            let reference = try #require(expected[index])
            let output = try Binary.run([
                "eval-embeddings", "--embeddings", scratch.url.appendingPathComponent("e\(index).npy").path,
                "--labels", scratch.url.appendingPathComponent("l\(index).npy").path,
                "--seed", String(crossCase.seed), "--json",
            ])
            if let error = reference["error"] {
                // The exercise's code fails only on a single class (no negatives) or constant values (NaN).
                #expect(crossCase.isDegenerate, "\(crossCase): Python failed with \(error)")
                #expect(output.status == 65, "\(crossCase): Python failed with \(error) but the CLI did not")
                #expect(output.stderr.hasPrefix("error: "), "\(crossCase)")
                continue
            }
            try #require(output.status == 0, "\(crossCase): \(output.stderr)")
            let ours = try Binary.json(output)
            let contrastive = try #require(ours["contrastive"] as? Double)
            let triplet = try #require(ours["triplet"] as? Double)
            let expectedContrastive = try #require(reference["contrastive"] as? Double)
            let expectedTriplet = try #require(reference["triplet"] as? Double)
            largest.contrastive = max(largest.contrastive, abs(contrastive - expectedContrastive))
            largest.triplet = max(largest.triplet, abs(triplet - expectedTriplet))
            #expect(abs(contrastive - expectedContrastive) <= 1e-6, "\(crossCase): contrastive")
            #expect(abs(triplet - expectedTriplet) <= 1e-6, "\(crossCase): triplet")
            compared += 1
        }
        print("cross-check: \(compared) of \(cases.count) cases compared; largest |difference|: \(largest)")
        #expect(compared == cases.filter { !$0.isDegenerate }.count)
        #expect(compared >= 50)
    }

    @Test("prints both losses for people, and JSON with --json")
    func output() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let embeddings = try scratch.write(NPYArray(shape: [2, 2], contents: .float32([-3, -3, 5, 5])), "e.npy")
        let labels = try scratch.write(NPYArray(shape: [2], contents: .int64([0, 1])), "l.npy")

        let human = try Binary.run(["eval-embeddings", "--embeddings", embeddings, "--labels", labels, "--margin", "3"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("contrastive: 0.5"))
        #expect(human.stdout.contains("triplet:     1.0"))

        let json = try Binary.run(["eval-embeddings", "--embeddings", embeddings, "--labels", labels, "--json"])
        #expect(json.status == 0)
        let object = try Binary.json(json)
        #expect(object["contrastive"] as? Double == 0)
        #expect(object["triplet"] as? Double == 0)
    }

    @Test(
        "bad input exits with status 65 and one line on stderr",
        arguments: [
            ("rows differ", [3, 2], .float32([0, 1, 2, 3, 4, 5]), [0, 1], "3 embedding rows but 2 labels"),
            ("not 2-D", [4], .float32([0, 1, 2, 3]), [0, 1, 0, 1], "must be a 2-D array"),
            ("one row", [1, 2], .float32([0, 1]), [0], "at least 2 samples"),
            ("all equal", [2, 2], .float64([4, 4, 4, 4]), [0, 1], "divide by zero"),
            ("one class", [2, 2], .float32([0, 1, 2, 3]), [5, 5], "no negative example"),
            ("NaN", [2, 2], .float32([0, .nan, 2, 3]), [0, 1], "value nan at row 0, column 1 is not finite"),
            ("infinity", [2, 2], .float64([0, 1, .infinity, 3]), [0, 1], "value inf at row 1, column 0"),
            ("integer embeddings", [2, 2], .int64([0, 1, 2, 3]), [0, 1], "must be float32 or float64"),
        ] as [(String, [Int], NPYArray.Contents, [Int], String)])
    func badInput(name: String, shape: [Int], values: NPYArray.Contents, labels: [Int], message: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let embeddings = NPYArray(shape: shape, contents: values)
        let labelArray = NPYArray(shape: [labels.count], contents: .int64(labels.map(Int64.init)))
        let output = try Binary.run([
            "eval-embeddings", "--embeddings", try scratch.write(embeddings, "e.npy"),
            "--labels", try scratch.write(labelArray, "l.npy"), "--json",
        ])
        expectOneLineError(output, containing: message, name)
    }

    @Test("unreadable files are named: missing, corrupt header, unsupported type, non-integer labels")
    func badFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let embeddings = try scratch.write(NPYArray(shape: [2, 2], contents: .float32([0, 1, 2, 3])), "e.npy")
        let labels = try scratch.write(NPYArray(shape: [2], contents: .int64([0, 1])), "l.npy")
        let missing = scratch.url.appendingPathComponent("missing.npy").path
        let corrupt = scratch.url.appendingPathComponent("corrupt.npy").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: embeddings)))
        bytes[10] = UInt8(ascii: "X")  // where the header dict should open
        try Data(bytes).write(to: URL(fileURLWithPath: corrupt))
        let complex = scratch.url.appendingPathComponent("complex.npy").path
        let complexBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: labels)))
        let header = String(decoding: complexBytes[10..<128], as: UTF8.self)
        let complexHeader = Array(header.replacingOccurrences(of: "<i8", with: "<c8").utf8)
        try Data(complexBytes[0..<10] + complexHeader + complexBytes[128...]).write(to: URL(fileURLWithPath: complex))
        let fractional = try scratch.write(NPYArray(shape: [2], contents: .float64([0, 0.5])), "fractional.npy")

        let cases: [(String, String, String)] = [
            (missing, labels, "\(missing): the file does not exist"),
            (corrupt, labels, "\(corrupt): malformed header"),
            (embeddings, complex, "\(complex): element type '<c8' is not supported"),
            (embeddings, fractional, "label 0.5 at index 1 is not an integer class id"),
        ]
        for (embeddingsPath, labelsPath, message) in cases {
            let output = try Binary.run(["eval-embeddings", "--embeddings", embeddingsPath, "--labels", labelsPath])
            expectOneLineError(output, containing: message, message)
        }
    }

    @Test(arguments: ["-1", "0"])
    func aMarginThatIsNotPositiveIsRefused(margin: String) throws {
        let output = try Binary.run(
            ["eval-embeddings", "--embeddings", "e.npy", "--labels", "l.npy", "--margin", margin])
        #expect(output.status == 64, "\(output.stderr)")
        #expect(output.stderr.contains("--margin must be a positive number (the losses' m), got \(Double(margin)!)"),
                "\(output.stderr)")
    }

    private func expectOneLineError(_ output: Binary.Output, containing message: String, _ name: String) {
        #expect(output.status == 65, "\(name)")
        #expect(output.stdout.isEmpty, "\(name)")
        #expect(output.stderr.hasPrefix("error: "), "\(name)")
        #expect(output.stderr.contains(message), "\(name): \(output.stderr)")
        #expect(output.stderr.filter { $0 == "\n" }.count == 1, "\(name): one line")
    }
}
