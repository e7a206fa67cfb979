import Core
import Testing

/// Each ``SpecLimits`` field refuses a spec one over it, naming the field, the value, the limit and the option,
/// and accepts the spec exactly at it.
@Suite struct SpecLimitsTests {
    /// A spec with a convolution: 28×28×1 → conv 4 filters 3×3 stride 2 (13×13×4) → flatten → dense 8 → dense 10.
    /// Parameters: 3·3·1·4 + 4 + 676·8 + 8 + 8·10 + 10 = 5546. Floats per sample: input 784, conv output 676 and
    /// its patch matrix 169·9 = 1521, dense 8 and 10: 2999; a chunk of 8 holds 23,992.
    static let spec = #"{"model": {"input": [28, 28, 1], "layers": ["#
        + #"{"conv2d": {"filters": 4, "kernel": 3, "stride": 2, "activation": "relu"}}, {"flatten": {}}, "#
        + #"{"dense": {"units": 8, "activation": "relu", "name": "embedding"}}, "#
        + #"{"dense": {"units": 10, "activation": "softmax"}}]}}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var kind: SpecLimits.Kind
        /// The value the spec is given, accepted at this limit and refused at one less.
        var limit: Int
        /// Sets the field (`%d` is the value); nil for the counts the spec's own model already has.
        var override: String?
        var path: String
        var testDescription: String { "\(kind) at \(path)" }
    }

    static let cases: [Case] = [
        Case(kind: .epochs, limit: 3, override: "training.epochs=%d", path: "training.epochs"),
        Case(kind: .batchSize, limit: 16, override: "training.batchSize=%d", path: "training.batchSize"),
        Case(kind: .layerUnits, limit: 12, override: "model.layers.2.dense.units=%d",
             path: "model.layers[2].dense.units"),
        Case(kind: .layerUnits, limit: 20, override: "model.layers.0.conv2d.filters=%d",
             path: "model.layers[0].conv2d.filters"),
        Case(kind: .parameters, limit: 5546, override: nil, path: "model.layers"),
        Case(kind: .activations, limit: 23_992, override: nil, path: "model.layers"),
        Case(kind: .trainSamples, limit: 100, override: "dataset.trainLimit=%d", path: "dataset.trainLimit"),
        Case(kind: .testSamples, limit: 100, override: "dataset.testLimit=%d", path: "dataset.testLimit"),
        Case(kind: .evaluationSamples, limit: 10, override: "evaluation.samples=%d", path: "evaluation.samples"),
    ]

    func parse(_ c: Case, value: Int, limit: Int) throws(SpecError) -> ExperimentSpec {
        var limits = SpecLimits.defaults
        limits[c.kind] = limit
        let overrides = c.override.map { [$0.replacingOccurrences(of: "%d", with: "\(value)")] } ?? []
        return try ExperimentSpec.parse(json: Self.spec, overrides: overrides, limits: limits)
    }

    @Test(arguments: cases) func aValueOverItsLimitIsRefusedWithTheOption(_ c: Case) throws {
        _ = try parse(c, value: c.limit, limit: c.limit)
        let error = #expect(throws: SpecError.self) { try parse(c, value: c.limit, limit: c.limit - 1) }
        #expect(error?.problems.count == 1, "\(error?.description ?? "no error")")
        let problem = error?.problems.first
        #expect(problem?.path == c.path)
        let message = problem?.message ?? ""
        #expect(message.hasPrefix("is \(c.limit), ") || message.hasPrefix("has \(c.limit) "), "\(message)")
        #expect(message.contains("over the limit of \(c.limit - 1)") && message.contains(c.kind.option), "\(message)")
    }

    @Test func optionNamesAreTheCoordinatorFlags() {
        #expect(SpecLimits.Kind.allCases.map(\.option) == [
            "--max-epochs", "--max-batch-size", "--max-layer-units", "--max-parameters", "--max-activations",
            "--max-train-samples", "--max-test-samples", "--max-evaluation-samples",
        ])
    }

    @Test func defaultsAdmitTheExerciseAndStayUnderTheMaximum() throws {
        _ = try ExperimentSpec.load(path: Fixture.repositoryRoot + "/experiments/exercise4.json")
        for kind in SpecLimits.Kind.allCases {
            #expect(SpecLimits.defaults[kind] <= SpecLimits.maximum[kind], "\(kind)")
        }
    }

    /// Stages whose epochs add up past `Int.max` are over the epochs limit, not an overflow trap (found by review;
    /// it crashed `summary` and would crash a coordinator at submit).
    @Test func stageEpochsPastIntAreRefusedNotOverflowed() {
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.spec, overrides: [
                #"training.stages=[{"epochs": 9000000000000000000}, {"epochs": 9000000000000000000}]"#,
            ])
        }
        #expect(error?.problems.contains { $0.path == "training.epochs" && $0.message.contains("over the limit") }
            == true, "\(error?.description ?? "")")
    }

    /// A dense layer after a wide flatten has more weights than `Int` can count; that is over every limit, not a
    /// crash.
    @Test func sizesPastIntAreRefusedNotOverflowed() {
        let huge = #"{"model": {"input": [4096, 4096, 1], "layers": ["#
            + #"{"conv2d": {"filters": 16777216, "kernel": 1, "padding": "same"}}, {"flatten": {}}, "#
            + #"{"dense": {"units": 16777216, "activation": "softmax", "name": "embedding"}}]}}"#
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: huge, limits: .maximum)
        }
        #expect(error?.problems.contains { $0.message.contains("\(Int.max) parameters") } == true,
                "\(error?.description ?? "")")
    }

    /// Input sides whose product overflows `Int` are refused, not a trap (issue 21: one submit of
    /// `[2147483647, 2147483647, 2147483647]` crashed the coordinator, and the CLI before it sent); sides under the
    /// cap whose product still overflows are over the activations limit.
    @Test(arguments: [
        ([2_147_483_647, 2_147_483_647, 2_147_483_647], "over the largest height, width or channel count"),
        ([16_777_216, 16_777_216, 16_777_216], "floats of activations"),
    ])
    func inputSidesPastIntAreRefusedNotOverflowed(input: [Int], message: String) {
        let error = #expect(throws: SpecError.self) {
            try ExperimentSpec.parse(json: Self.spec, overrides: ["model.input=\(input)"], limits: .maximum)
        }
        #expect(error?.problems.contains { $0.message.contains(message) } == true, "\(error?.description ?? "")")
    }
}
