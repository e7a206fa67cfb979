import Core

extension HTMLReport {
    /// The four losses once per draw seed of `evaluation.seeds`, as strips with mean ± sd; `nil` when the run
    /// evaluated only the exercise's one draw.
    static func drawSeedSection(_ result: TrainingResult) -> String? {
        guard let draws = result.drawSeeds else { return nil }
        let plot = StripPlot(
            title: "Losses over \(draws.rows.count) draw seeds", yLabel: "Loss",
            strips: LossStrips.strips(draws.rows.map { ("draw seed \($0.seed)", $0.losses) }))
        return section(id: "draw-seeds", heading: "Noise of the draw", [
            "<div class=\"pair\">",
            "<div>\(plot.svg)</div>",
            "<div>\(LossStrips.table(draws.statistics))",
            "<p class=\"note\">The same embeddings evaluated once per seed of <code>evaluation.seeds</code>: only "
                + "the pairs and triplets drawn change, so the spread is the noise of the draw, not of training. "
                + "Bars mark the mean, whiskers ± one sample standard deviation.</p></div>",
            "</div>",
        ])
    }
}
