import Core
import Testing

/// What a spec's problems say: a suggestion for a typo, one problem per mistake, where JSON breaks as a line and
/// column, and whether a problem came from a `--set` or from the file.
@Suite struct SpecMessageTests {
    static let minimal = SpecTests.minimal

    func problems(_ overrides: [String], json: String = Self.minimal) -> [SpecError.Problem] {
        let error = #expect(throws: SpecError.self) { try ExperimentSpec.parse(json: json, overrides: overrides) }
        return error?.problems ?? []
    }

    @Test(arguments: [
        ("training.epocs=3", "training.epocs", "epochs"),
        ("training.Epochs=3", "training.Epochs", "epochs"),
        ("trainig.epochs=3", "trainig", "training"),
        ("dataset.trainlimit=30", "dataset.trainlimit", "trainLimit"),
    ])
    func aTypoGetsTheFieldItMostLikelyMeant(override: String, path: String, meant: String) {
        let found = problems([override])
        #expect(found.map(\.path) == [path])
        #expect(found.first?.message == "unknown field; did you mean `\(meant)`?", "\(found)")
    }

    @Test func aNameFarFromEveryFieldGetsNoSuggestion() {
        #expect(problems(["training.colour=3"]).map(\.message) == ["unknown field"])
    }

    @Test(arguments: ["training.epochs=\"20\"", "training.batchSize=true", "dataset.trainLimit=2.5"])
    func aValueOfTheWrongTypeIsOneProblem(override: String) {
        let found = problems([override])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.hasPrefix("expected an integer") == true, "\(found)")
    }

    @Test func aJSONSyntaxErrorIsPlacedByLineAndColumn() {
        let json = "{\n  \"name\": \"x\",\n  \"seed\": x\n}"
        let found = problems([], json: json)
        #expect(found.map(\.message) == ["not valid JSON: line 3, column 11: invalid value"], "\(found)")
    }

    @Test func problemsAreBlamedOnTheSetThatCausedThemOrOnTheFile() {
        let error = SpecError(problems: [
            .init(path: "training.epochs", message: "must be at least 1"),
            .init(path: "model.layers[2].conv2d", message: "kernel larger than its input"),
            .init(path: "training.stages[0].epochs", message: "must be at least 1"),
            .init(path: "", message: "not of the form key=value", override: "oops"),
            .init(path: "evaluation.samples", message: "must be at least 2"),
        ])
        let text = error.described(file: "spec.json", overrides: [
            "training.epochs=0", "model.layers.2.conv2d.kernel=9", #"training.stages=[{"epochs": 0}]"#, "oops",
        ])
        #expect(text == """
            invalid spec (5 problems):
              - training.epochs: must be at least 1 (from --set training.epochs=0)
              - model.layers[2].conv2d: kernel larger than its input (from --set model.layers.2.conv2d.kernel=9)
              - training.stages[0].epochs: must be at least 1 (from --set training.stages=[{"epochs": 0}])
              - not of the form key=value (from --set oops)
              - evaluation.samples: must be at least 2 (in spec.json)
            """)
    }

    @Test func epochsForAStagedSpecSayWhichOverridesToWriteInstead() {
        let staged = #"training.stages=[{"epochs": 10}, {"epochs": 10, "objective": "triplet"}]"#
        let found = problems([staged, "training.epochs=4"])
        #expect(found.map(\.path) == ["training.epochs"])
        #expect(found.first?.message.hasSuffix(
            "e.g. --set training.stages.0.epochs=2 --set training.stages.1.epochs=2") == true, "\(found)")
        let written = try? ExperimentSpec.parse(json: Self.minimal, overrides: [
            staged, "training.stages.0.epochs=2", "training.stages.1.epochs=2",
        ])
        #expect(written?.training.epochs == 4)
    }
}
