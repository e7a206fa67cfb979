import Core

extension HTMLReport {
    /// The four embedding losses as a grouped bar chart and a table with the change; `nil` without losses.
    static func lossSection(_ result: TrainingResult) -> String? {
        guard let losses = result.losses else { return nil }
        let pairs = [("Contrastive", losses.contrastive), ("Triplet", losses.triplet)]
        let chart = BarChart(
            title: "Embedding losses on the evaluated samples", yLabel: "Loss", groups: pairs.map(\.0),
            series: [
                .init(name: "Before training", colour: "#9fb3c8", values: pairs.map(\.1.before)),
                .init(name: "After training", colour: "#1f5fa8", values: pairs.map(\.1.after)),
            ])
        let rows = pairs.map { name, pair in
            let cells = [pair.before, pair.after, pair.after - pair.before].map { NumberText.fixed($0, 4) }
            return "<tr><th scope=\"row\">\(name)</th>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return section(id: "losses", heading: "Embedding losses", [
            "<div class=\"pair\">",
            "<div>\(chart.svg)</div>",
            "<div><table>",
            "<tr><th>Loss</th><th>Before</th><th>After</th><th>Change</th></tr>",
            rows.joined(separator: "\n"),
            "</table>",
            "<p class=\"note\">Evaluated with the exercise's code: min-max normalised embeddings, margin 1, "
                + "<code>random.seed(1)</code> before each evaluation (contrastive, then triplet).</p></div>",
            "</div>",
        ])
    }
}
