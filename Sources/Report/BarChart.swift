/// A grouped bar chart: for each group one bar per series, side by side, each with its value printed above it.
struct BarChart {
    /// One kind of bar: its legend name, colour and value in each group.
    struct Series {
        var name: String
        var colour: String
        var values: [Double]
    }

    var title: String
    var yLabel: String
    var groups: [String]
    var series: [Series]
    var decimals = 4
    var width = 540.0
    var height = 320.0

    /// The chart as an `<svg>` element.
    var svg: String {
        let values = series.flatMap(\.values).filter(\.isFinite)
        // Headroom above the tallest bar for its printed value.
        let y = NiceScale(covering: min(0, values.min() ?? 0), (values.max() ?? 1) * 1.12)
        let frame = ChartFrame(width: width, height: height, x: nil, y: y)
        var svg = frame.document(title: title, xLabel: "", yLabel: yLabel)
        let groupWidth = (frame.right - frame.left) / Double(max(1, groups.count))
        let barWidth = min(72, groupWidth * 0.7 / Double(max(1, series.count)))
        let zero = frame.py(max(y.lower, 0))
        for (g, group) in groups.enumerated() {
            let centre = frame.left + groupWidth * (Double(g) + 0.5)
            let start = centre - barWidth * Double(series.count) / 2
            for (s, kind) in series.enumerated() where g < kind.values.count && kind.values[g].isFinite {
                let value = kind.values[g], x = start + barWidth * Double(s)
                let top = min(zero, frame.py(value)), text = NumberText.fixed(value, decimals)
                svg.rect(
                    x: x + 2, y: top, width: barWidth - 4, height: abs(zero - frame.py(value)), fill: kind.colour,
                    title: "\(group), \(kind.name): \(text)")
                svg.text(text, x: x + barWidth / 2, y: top - 6, anchor: .middle, class: "bar-value")
            }
            svg.text(group, x: centre, y: frame.bottom + 20, anchor: .middle, class: "group-label")
        }
        drawLegend(on: &svg)
        return svg.markup
    }

    /// The series names with their colours, in a row centred below the group labels.
    private func drawLegend(on svg: inout SVGDocument) {
        let itemWidth = 150.0
        let start = width / 2 - itemWidth * Double(series.count) / 2
        for (s, kind) in series.enumerated() {
            let x = start + itemWidth * Double(s) + 12
            svg.rect(x: x, y: height - 19, width: 12, height: 12, fill: kind.colour)
            svg.text(kind.name, x: x + 18, y: height - 9, class: "legend")
        }
    }
}
