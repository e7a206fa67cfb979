import Core

extension HTMLReport {
    /// Training loss and accuracy per epoch as two line charts, the accuracy chart with the test accuracy as a
    /// reference line; `nil` without epochs.
    static func curveSection(_ result: TrainingResult) -> String? {
        guard !result.epochs.isEmpty else { return nil }
        let loss = LineChart(
            title: "Training loss", yLabel: "Cross-entropy", points: result.epochs.map { ($0.epoch, $0.loss) })
        let accuracy = LineChart(
            title: "Training accuracy", yLabel: "Accuracy", points: result.epochs.map { ($0.epoch, $0.accuracy) },
            reference: result.testAccuracy.map { ($0, "test \(NumberText.fixed($0, 4))") })
        return section(id: "curves", heading: "Training curves", [
            "<div class=\"pair\">", "<div>\(loss.svg)</div>", "<div>\(accuracy.svg)</div>", "</div>",
            "<p class=\"note\">Mean loss and accuracy over each epoch's training samples, with dropout on.</p>",
        ])
    }

    /// A row per epoch: loss, accuracy and seconds; `nil` without epochs.
    static func epochTable(_ result: TrainingResult) -> String? {
        guard !result.epochs.isEmpty else { return nil }
        let rows = result.epochs.map { epoch in
            let cells = [
                String(epoch.epoch), NumberText.fixed(epoch.loss, 4), NumberText.fixed(epoch.accuracy, 4),
                NumberText.fixed(epoch.seconds, 2),
            ]
            return "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return section(id: "epochs", heading: "Per-epoch metrics", [
            "<table>", "<tr><th>Epoch</th><th>Loss</th><th>Accuracy</th><th>Seconds</th></tr>",
            rows.joined(separator: "\n"), "</table>",
        ])
    }
}
