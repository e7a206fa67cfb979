import Core
import Foundation
import Testing

/// `evaluation.seeds`: parsing, and the losses once per draw seed with their mean and sd.
@Suite struct DrawSeedTests {
    static let spec = SpecTests.minimal

    @Test func seedsDefaultToTheExerciseSeedAlone() throws {
        #expect(try ExperimentSpec.parse(json: Self.spec).evaluation.seeds == [1])
        #expect(try ExperimentSpec.parse(json: Self.spec, overrides: ["evaluation.seed=7"]).evaluation.seeds == [7])
        let listed = try ExperimentSpec.parse(json: Self.spec, overrides: ["evaluation.seeds=[3,1,2]"])
        #expect(listed.evaluation.seeds == [3, 1, 2] && listed.evaluation.seed == 1)
    }

    @Test(arguments: [
        ("evaluation.seeds=[]", "evaluation.seeds: expected a non-empty array"),
        ("evaluation.seeds=5", "evaluation.seeds: expected an array"),
        ("evaluation.seeds=[1,\"x\"]", "evaluation.seeds[1]: expected an integer"),
        ("evaluation.seeds=[1,2.5]", "evaluation.seeds[1]: expected an integer"),
        ("evaluation.seeds=[2,2]", "evaluation.seeds: lists a seed twice"),
    ])
    func badSeedsAreRefusedWithTheirPath(override: String, problem: String) {
        do {
            _ = try ExperimentSpec.parse(json: Self.spec, overrides: [override])
            Issue.record("\(override) was accepted")
        } catch {
            #expect(error.description.contains(problem), "\(error)")
        }
    }

    /// 40 embeddings of width 8 from a fixed sequence, labels cycling through 4 classes.
    private func embeddings(salt: Int) -> [Float] {
        (0..<320).map { Float(($0 * 37 + salt * 11) % 101) / 13 }
    }

    @Test func eachDrawSeedGivesTheSingleSeedValuesAndTheStatisticsSummariseThem() throws {
        var spec = try ExperimentSpec.parse(json: Self.spec)
        let labels = (0..<40).map { $0 % 4 }
        let before = embeddings(salt: 1), after = embeddings(salt: 2)
        #expect(try DrawSeedReport.evaluate(
            before: before, after: after, width: 8, labels: labels, evaluation: spec.evaluation) == nil)

        spec.evaluation.seeds = [1, 2, 3, 4, 5]
        let report = try #require(try DrawSeedReport.evaluate(
            before: before, after: after, width: 8, labels: labels, evaluation: spec.evaluation))
        #expect(report.rows.map(\.seed) == [1, 2, 3, 4, 5])
        for row in report.rows {
            var single = spec.evaluation
            single.seed = row.seed
            #expect(try row.losses == EmbeddingLossReport(
                before: before, after: after, width: 8, labels: labels, evaluation: single))
        }
        let values = report.rows.map(\.losses.triplet.after)
        #expect(Set(values).count > 1, "different draws give different values")
        let mean = values.reduce(0, +) / 5
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        let stats = try #require(report.statistics.triplet.after)
        #expect(abs(stats.mean - mean) < 1e-12 && abs(stats.sd! - sd) < 1e-12 && stats.count == 5)
        #expect(report.statistics.contrastive.before?.count == 5)
    }
}
