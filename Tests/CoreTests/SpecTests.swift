import Core
import Testing

@Suite struct SpecTests {
    static let minimal = #"{"model": {"input": [28, 28, 1], "layers": [{"flatten": {}}, "#
        + #"{"dense": {"units": 8, "activation": "relu", "name": "embedding"}}, "#
        + #"{"dense": {"units": 10, "activation": "softmax"}}]}}"#

    @Test func defaultsAreTheExercise() throws {
        let spec = try ExperimentSpec.parse(json: Self.minimal)
        #expect(spec.training.epochs == 20 && spec.training.batchSize == 32 && spec.training.learningRate == 0.001)
        #expect(spec.determinism.chunkSize == 8 && spec.evaluation.samples == 50 && spec.seed == 1)
    }

    @Test func numpyDatasetFieldsParse() throws {
        let spec = try ExperimentSpec.parse(json: Self.minimal, overrides: [
            "dataset.format=npy", "dataset.npz=\"set.npz\"", "dataset.testFraction=0.25", "dataset.splitSeed=7",
            "dataset.classNames=[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"nine\"]",
        ])
        #expect(spec.dataset.format == .npy && spec.dataset.npz == "set.npz" && spec.dataset.splitSeed == 7)
        #expect(spec.dataset.testFraction == 0.25 && spec.dataset.classNames.last == "nine")
        let idx = try ExperimentSpec.parse(json: Self.minimal)
        #expect(idx.dataset.format == .idx && idx.dataset.npz == nil && idx.dataset.classNames.isEmpty)
        #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.minimal, overrides: ["dataset.format=npy", "dataset.testFraction=1"])
        }
    }

    @Test func overridesSetNestedFieldsAndArrayElements() throws {
        let spec = try ExperimentSpec.parse(json: Self.minimal, overrides: [
            "training.epochs=2", "dataset.trainLimit=2000", "model.layers.1.dense.units=16", "dataset.path=/x/y",
            "training.shuffle=false",
        ])
        #expect(spec.training.epochs == 2 && spec.dataset.trainLimit == 2000 && spec.dataset.path == "/x/y")
        #expect(spec.training.shuffle == false)
        guard case .dense(let units, _, _) = spec.model.layers[1] else { throw SpecError("", "not dense") }
        #expect(units == 16)
    }

    @Test(arguments: [
        ("training.epochs=0", "training.epochs"),
        ("training.epochs=\"ten\"", "training.epochs"),
        ("training.batchSize=-1", "training.batchSize"),
        ("trainig={}", "trainig"),
        ("training.epoch=3", "training.epoch"),
        ("evaluation.layer=nope", "evaluation.layer"),
        ("determinism.chunkSize=0", "determinism.chunkSize"),
        ("model.layers.1.dense.activation=tanh", "model.layers[1].dense.activation"),
        ("dataset.format=png", "dataset.format"),
        ("dataset.npz=\"x.npz\"", "dataset.npz"),
        ("dataset.testFraction=0.2", "dataset.testFraction"),
        ("dataset.classNames=[\"a\", \"b\"]", "dataset.classNames"),
        ("dataset.classNames=[1, 2]", "dataset.classNames"),
    ])
    func invalidFieldsAreNamedByPath(override: String, path: String) {
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.minimal, overrides: [override])
        }
        #expect(error?.problems.contains { $0.path == path } == true, "\(error?.description ?? "")")
    }

    @Test func shapesThatDoNotFitAreRefused() {
        let bad = #"{"model": {"input": [5, 5, 1], "layers": [{"conv2d": {"filters": 2, "kernel": 3, "stride": 1}}, "#
            + #"{"conv2d": {"filters": 2, "kernel": 7}}, {"flatten": {}}, "#
            + #"{"dense": {"units": 10, "activation": "softmax", "name": "embedding"}}]}}"#
        let error = #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: bad) }
        #expect(error?.problems.first?.path == "model.layers[1].conv2d")
    }

    @Test func denseWithoutFlattenIsExplained() {
        let bad = #"{"model": {"input": [5, 5, 1], "layers": [{"dense": {"units": 10, "activation": "softmax", "name": "embedding"}}]}}"#
        let error = #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: bad) }
        #expect(error?.description.contains("flatten") == true)
    }

    @Test func everyProblemIsListed() {
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.minimal, overrides: ["training.epochs=0", "training.batchSize=0",
                                                                       "bogus=1"])
        }
        #expect(error?.problems.count == 3)
    }

    @Test func malformedJSONAndOverridesAreRefused() {
        #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: "{") }
        #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: Self.minimal, overrides: ["noequals"]) }
        #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.minimal, overrides: ["model.layers.9.dense.units=1"])
        }
    }

    /// Names reach logs, `list` and terminals: escape sequences, newlines and megabyte names are refused (issue 21:
    /// a name with ANSI escapes rewrote the terminal of whoever ran `list`, and seven 10 MB names broke `list`).
    @Test(arguments: [
        ("name=\"\\u001b[2Jgone\"", "name", "U+001B"),
        ("name=\"two\\nlines\"", "name", "U+000A"),
        ("name=\"cut\\u0000here\"", "name", "U+0000"),  // a NUL once cut names short on the wire
        ("name=\"" + String(repeating: "n", count: 201) + "\"", "name", "201 characters long; at most 200"),
        ("model.layers.0.flatten.name=\"a\u{9B}b\"", "model.layers[0].flatten.name", "U+009B"),
    ])
    func namesAreShortAndPrintable(override: String, path: String, message: String) {
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.minimal, overrides: [override])
        }
        #expect(error?.problems.contains { $0.path == path && $0.message.contains(message) } == true,
                "\(error?.description ?? "")")
    }

    @Test func aLongPrintableNameIsFine() throws {
        let name = String(repeating: "é", count: 200)
        #expect(try ExperimentSpec.parse(json: Self.minimal, overrides: ["name=\"\(name)\""]).name == name)
    }
}
