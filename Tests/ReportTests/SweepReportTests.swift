import Core
import Foundation
import Report
import Testing

/// The sweep report and the draw-seed section of a run's report.
@Suite struct SweepReportTests {
    static func row(_ seed: UInt64, _ triplet: Double) -> SweepResult.Row {
        var result = HTMLReportTests.result(losses: EmbeddingLossReport(
            contrastive: LossPair(before: 0.16, after: 0.07), triplet: LossPair(before: triplet, after: 0.1)))
        result.seed = seed
        return SweepResult.Row(experimentId: "exp-\(seed)", result: result)
    }

    @Test func sweepReportShowsCountsDistributionsAndARowPerSeed() {
        let rows = [
            Self.row(1, 0.31), Self.row(2, 0.35), SweepResult.Row(seed: 3, experimentId: "exp-3", state: "queued"),
        ]
        let page = SweepReport.render(SweepResult(sweepId: "sweep-1", name: "<sweep>", rows: rows))
        #expect(page.contains("&lt;sweep&gt;") && !page.contains("<sweep>"), "names are escaped")
        #expect(page.contains("Exercise answer over seeds") && page.contains("Distributions over seeds"))
        #expect(page.components(separatedBy: "class=\"mean\"").count - 1 == 5, "a mean bar per value")
        #expect(page.contains("Triplet before, seed 2: 0.3500"), "a point per seed with its tooltip")
        #expect(page.contains("0.3300 ± 0.0283"), "triplet before: mean 0.33, sd √0.0008")
        #expect(page.contains("<td>exp-3</td><td>queued</td>"))
        #expect(!page.contains("<script"))
    }

    @Test func sweepWithoutFinishedRunsLeavesOutTheCharts() {
        let page = SweepReport.render(SweepResult(
            sweepId: "sweep-2", name: "x", rows: [SweepResult.Row(seed: 1, experimentId: "exp-1", state: "running")]))
        #expect(!page.contains("Distributions over seeds") && !page.contains("Exercise answer over seeds"))
        #expect(page.contains("<td>running</td>"))
    }

    @Test func runReportShowsTheDrawSeedsOnlyWhenEvaluated() {
        var result = HTMLReportTests.result(losses: HTMLReportTests.exerciseLosses)
        #expect(!HTMLReport.render(result).contains("Noise of the draw"))
        result.drawSeeds = DrawSeedReport(rows: [
            .init(seed: 1, losses: HTMLReportTests.exerciseLosses),
            .init(seed: 2, losses: EmbeddingLossReport(
                contrastive: LossPair(before: 0.2, after: 0.05), triplet: LossPair(before: 0.4, after: 0.12))),
        ])
        let page = HTMLReport.render(result)
        #expect(page.contains("Noise of the draw") && page.contains("Losses over 2 draw seeds"))
        #expect(page.components(separatedBy: "class=\"mean\"").count - 1 == 4)
    }
}
