import Core

extension HTMLReport {
    /// The evaluated embeddings before and after training, each projected on its own two principal components and
    /// coloured by class, with a legend of the classes present; `nil` without embeddings or when their sizes
    /// disagree.
    static func embeddingSection(_ result: TrainingResult) -> String? {
        guard let embeddings = result.embeddings else { return nil }
        let rows = embeddings.labels.count, width = embeddings.width
        guard rows > 0, width > 0, embeddings.before.count == rows * width, embeddings.after.count == rows * width
        else { return nil }
        let classes = ClassLegend(names: embeddings.classNames ?? [])
        let plots = [("Before training", embeddings.before), ("After training", embeddings.after)].map {
            "<div>\(scatter(title: $0.0, values: $0.1, labels: embeddings.labels, width: width, classes: classes))</div>"
        }
        let counts = Dictionary(embeddings.labels.map { ($0, 1) }, uniquingKeysWith: +)
        let legend = counts.keys.sorted().map { label in
            let swatch = "<span class=\"swatch\" style=\"background:\(ClassLegend.colour(label))\"></span>"
            let name = classes.names.indices.contains(label) ? " " + classes.name(label).htmlEscaped : ""
            return "<li>\(swatch)\(label)\(name) (\(counts[label] ?? 0))</li>"
        }
        return section(id: "embeddings", heading: "Embeddings (PCA)", [
            "<p class=\"note\">The \(rows) evaluated samples' embeddings (\(width) values each), projected on their "
                + "first two principal components; each plot has its own axes. Same-coloured points gathering "
                + "apart from the others mean the classes separate.</p>",
            "<div class=\"pair\">", plots.joined(separator: "\n"), "</div>",
            "<ul class=\"legend-list\">", legend.joined(separator: "\n"), "</ul>",
        ])
    }

    /// One embedding matrix as a PCA scatter plot, the axis labels giving each component's share of the variance.
    private static func scatter(
        title: String, values: [Float], labels: [Int], width: Int, classes: ClassLegend
    ) -> String {
        let fit = PCA.fit(values, rows: labels.count, columns: width)
        let coordinates = fit.project(values, rows: labels.count)
        let axes = fit.variances.enumerated().map { k, variance in
            fit.totalVariance > 0 ? "PC\(k + 1) (\(NumberText.percent(variance / fit.totalVariance)) of variance)"
                : "PC\(k + 1)"
        }
        let points = zip(labels, coordinates).enumerated().map { index, pair in
            ScatterPlot.Point(
                x: pair.1[0], y: pair.1[1], colour: ClassLegend.colour(pair.0),
                title: "sample \(index): \(classes.name(pair.0))")
        }
        return ScatterPlot(title: title, xLabel: axes[0], yLabel: axes[1], points: points).svg
    }
}
