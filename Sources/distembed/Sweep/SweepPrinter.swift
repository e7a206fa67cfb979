import Core
import Foundation

/// `results SWEEP` as text: a row per seed, then mean ± sd under each column and the answer counts.
enum SweepPrinter {
    private static let headers = [
        "SEED", "EXPERIMENT", "STATE", "TEST ACC", "CONTR. BEFORE", "CONTR. AFTER", "TRIPLET BEFORE",
        "TRIPLET AFTER", "ANSWER",
    ]

    static func text(_ r: SweepResult) -> String {
        var table = [headers]
        for row in r.rows {
            let l = row.losses
            table.append([
                "\(row.seed)", row.experimentId, row.state, number(row.testAccuracy), number(l?.contrastive.before),
                number(l?.contrastive.after), number(l?.triplet.before), number(l?.triplet.after),
                row.exerciseAnswer?.label ?? "-",
            ])
        }
        table.append([
            "mean ± sd", "", "", statistic(r.testAccuracy), statistic(r.losses.contrastive.before),
            statistic(r.losses.contrastive.after), statistic(r.losses.triplet.before),
            statistic(r.losses.triplet.after), "",
        ])
        let widths = headers.indices.map { column in table.map { $0[column].count }.max()! + 2 }
        var lines = ["sweep \(r.sweepId) \(r.name): \(r.rows.count) seeds, \(r.done) done"]
        lines += table.map { cells in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
                .trimmingCharacters(in: .whitespaces)
        }
        let counts = ExerciseAnswer.allCases.map { "\($0.label) \(r.answers[$0])" }
        lines.append("answers: " + counts.joined(separator: "  ") + "  (of \(r.done) done runs)")
        lines.append("ANSWER: " + ExerciseAnswer.question)
        lines += ExerciseAnswer.allCases.map { option in
            "  " + option.label.padding(toLength: 6, withPad: " ", startingAt: 0) + option.statement
        }
        return lines.joined(separator: "\n")
    }

    private static func number(_ value: Double?) -> String {
        value.map { String(format: "%.4f", $0) } ?? "-"
    }

    private static func statistic(_ value: MeanAndDeviation?) -> String {
        value?.text() ?? "-"
    }
}

/// The `evaluation.seeds` lines of a run's text results.
enum DrawSeedText {
    static func lines(_ report: DrawSeedReport) -> [String] {
        func pair(_ p: LossPairStatistics) -> String {
            "before \(p.before?.text() ?? "-"), after \(p.after?.text() ?? "-")"
        }
        return [
            "draw seeds     \(report.rows.count) seeds of evaluation.seeds, mean ± sd:",
            "  contrastive  \(pair(report.statistics.contrastive))",
            "  triplet      \(pair(report.statistics.triplet))",
        ]
    }
}
