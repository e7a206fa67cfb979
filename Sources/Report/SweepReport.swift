import Core

/// The report of a seed sweep: one self-contained HTML page with the answer counts, the distribution of test
/// accuracy and of the four loss values over seeds (a strip per value, a point per seed, the mean marked), and a
/// row per seed.
public enum SweepReport {
    /// The page for `result`; every string from it is escaped.
    public static func render(_ result: SweepResult) -> String {
        let sections = [header(result), answerSection(result), distributionSection(result), seedTable(result)]
        return HTMLReport.page(title: "DistEmbed sweep — \(result.name)", sections: sections.compactMap { $0 })
    }

    private static func header(_ result: SweepResult) -> String {
        let facts = [
            ("Sweep", result.sweepId), ("Seeds", String(result.rows.count)), ("Done", String(result.done)),
            ("Test accuracy", result.testAccuracy?.text() ?? "—"),
        ].map { "<div><dt>\($0.0.htmlEscaped)</dt><dd>\($0.1.htmlEscaped)</dd></div>" }
        return """
            <header>
            <h1>\(result.name.htmlEscaped)</h1>
            <p class="subtitle">DistEmbed seed sweep · Exercise 4 trained once per seed: how reliably do the \
            losses answer the question?</p>
            <dl class="facts">
            \(facts.joined(separator: "\n"))
            </dl>
            </header>
            """
    }

    private static func answerSection(_ result: SweepResult) -> String? {
        guard result.done > 0 else { return nil }
        let answers = ExerciseAnswer.allCases
        let chart = BarChart(
            title: "Runs supporting each option", yLabel: "Runs",
            groups: answers.map(\.label),
            series: [.init(name: "Runs", colour: "#1f5fa8", values: answers.map { Double(result.answers[$0]) })],
            decimals: 0)
        return HTMLReport.section(id: "answers", heading: "Exercise answer over seeds", [
            "<div>\(chart.svg)</div>",
            "<p class=\"note\">Each finished run's four losses, rounded to 4 decimals, decide its option as in the "
                + "single-run report; \(result.done) runs are done. The exercise's own run printed option (c).</p>",
        ])
    }

    private static func distributionSection(_ result: SweepResult) -> String? {
        let done = result.rows.filter { $0.losses != nil }
        guard !done.isEmpty else { return nil }
        let losses = StripPlot(
            title: "Embedding losses over seeds", yLabel: "Loss",
            strips: LossStrips.strips(done.map { ("seed \($0.seed)", $0.losses!) }))
        let accuracy = StripPlot(
            title: "Test accuracy over seeds", yLabel: "Accuracy",
            strips: [.init(
                name: "Test accuracy", colour: "#1f5fa8",
                points: result.rows.compactMap { row in row.testAccuracy.map { ("seed \(row.seed)", $0) } })])
        return HTMLReport.section(id: "distributions", heading: "Distributions over seeds", [
            "<div class=\"pair\">", "<div>\(losses.svg)</div>", "<div>\(accuracy.svg)</div>", "</div>",
            LossStrips.table(result.losses),
            "<p class=\"note\">A point per seed; bars mark the mean, whiskers ± one sample standard deviation.</p>",
        ])
    }

    private static func seedTable(_ result: SweepResult) -> String {
        let rows = result.rows.map { row in
            let l = row.losses
            let cells = [
                String(row.seed), row.experimentId, row.state, NumberText.fixed(row.testAccuracy, 4),
                NumberText.fixed(l?.contrastive.before, 4), NumberText.fixed(l?.contrastive.after, 4),
                NumberText.fixed(l?.triplet.before, 4), NumberText.fixed(l?.triplet.after, 4),
                row.exerciseAnswer?.label ?? "—",
            ]
            return "<tr>" + cells.map { "<td>\($0.htmlEscaped)</td>" }.joined() + "</tr>"
        }
        let headings = [
            "Seed", "Experiment", "State", "Test accuracy", "Contrastive before", "Contrastive after",
            "Triplet before", "Triplet after", "Answer",
        ].map { "<th>\($0)</th>" }.joined()
        return HTMLReport.section(id: "seeds", heading: "Per seed", [
            "<table>", "<tr>\(headings)</tr>", rows.joined(separator: "\n"), "</table>",
        ])
    }
}
