/// A per-epoch line chart: one value per epoch, drawn as a line with a dot at each epoch, and an optional
/// dashed horizontal reference line.
struct LineChart {
    var title: String
    var yLabel: String
    /// The epochs and their values, in order; non-finite values are skipped.
    var points: [(epoch: Int, value: Double)]
    /// A level to compare against, such as the test accuracy, and its label.
    var reference: (value: Double, label: String)?
    var width = 540.0
    var height = 300.0

    /// The chart as an `<svg>` element.
    var svg: String {
        let shown = points.filter { $0.value.isFinite }
        let references = [reference?.value].compactMap { $0 }.filter(\.isFinite)
        let values = shown.map(\.value) + references
        let y = NiceScale(covering: min(0, values.min() ?? 0), values.max() ?? 1)
        let x = NiceScale(integersFrom: shown.first?.epoch ?? 1, to: shown.last?.epoch ?? 1)
        let frame = ChartFrame(width: width, height: height, x: x, y: y, inset: 10)
        var svg = frame.document(title: title, xLabel: "Epoch", yLabel: yLabel)
        if let reference, reference.value.isFinite {
            let level = frame.py(reference.value)
            svg.line(frame.left, level, frame.right, level, class: "reference")
            // The label goes on the side of the line the curve's end is not on, where it ends near the label.
            let curveEndsAbove = (shown.last?.value ?? reference.value) > reference.value
            svg.text(
                reference.label, x: frame.right - 4, y: curveEndsAbove ? level + 15 : level - 6, anchor: .end,
                class: "reference-label")
        }
        let line = shown.map { (x: frame.px(Double($0.epoch)), y: frame.py($0.value)) }
        svg.polyline(line, class: "series")
        for (point, position) in zip(shown, line) {
            svg.circle(
                x: position.x, y: position.y, radius: 3, fill: "#1f5fa8", class: "dot",
                title: "epoch \(point.epoch): \(NumberText.fixed(point.value, 4))")
        }
        return svg.markup
    }
}
