import Core

/// The four loss values as strips of a ``StripPlot``, coloured like the report's loss bars (before light, after
/// dark), and as table rows of mean ± sd.
enum LossStrips {
    /// One strip per value, each point one labelled set of losses (a seed's run or a draw).
    static func strips(_ labelled: [(label: String, losses: EmbeddingLossReport)]) -> [StripPlot.Strip] {
        let values: [(String, String, (EmbeddingLossReport) -> Double)] = [
            ("Contrastive before", "#9fb3c8", { $0.contrastive.before }),
            ("Contrastive after", "#1f5fa8", { $0.contrastive.after }),
            ("Triplet before", "#9fb3c8", { $0.triplet.before }),
            ("Triplet after", "#1f5fa8", { $0.triplet.after }),
        ]
        return values.map { name, colour, value in
            StripPlot.Strip(name: name, colour: colour, points: labelled.map { ($0.label, value($0.losses)) })
        }
    }

    /// A table of the two losses' mean ± sd before and after, with the number of values each covers.
    static func table(_ statistics: EmbeddingLossStatistics) -> String {
        let rows = [("Contrastive", statistics.contrastive), ("Triplet", statistics.triplet)].map { name, pair in
            let cells = [pair.before, pair.after].map { $0?.text() ?? "—" } + [String(pair.after?.count ?? 0)]
            return "<tr><th scope=\"row\">\(name)</th>" + cells.map { "<td>\($0.htmlEscaped)</td>" }.joined()
                + "</tr>"
        }
        return (["<table>", "<tr><th>Loss</th><th>Before (mean ± sd)</th><th>After (mean ± sd)</th><th>n</th></tr>"]
            + rows + ["</table>"]).joined(separator: "\n")
    }
}
