import Core

/// Strips side by side, one per quantity: a point per run or draw, spread a little sideways so equal values stay
/// apart, the mean as a bar across the strip and mean ± sd as a whisker, the figures printed below.
struct StripPlot {
    /// One quantity: its name, colour and values, each with the label its tooltip names (e.g. "seed 3").
    struct Strip {
        var name: String
        var colour: String
        var points: [(label: String, value: Double)]
    }

    var title: String
    var yLabel: String
    var strips: [Strip]
    var width = 540.0
    var height = 340.0

    /// The plot as an `<svg>` element; non-finite values are skipped.
    var svg: String {
        let values = strips.flatMap { $0.points.map(\.value) }.filter(\.isFinite)
        let low = values.min() ?? 0, high = values.max() ?? 1
        let pad = (high - low) * 0.06
        let frame = ChartFrame(width: width, height: height, x: nil, y: NiceScale(covering: low - pad, high + pad))
        var svg = frame.document(title: title, xLabel: "", yLabel: yLabel)
        let stripWidth = (frame.right - frame.left) / Double(max(1, strips.count))
        for (i, strip) in strips.enumerated() {
            let centre = frame.left + stripWidth * (Double(i) + 0.5)
            let spread = min(36, stripWidth * 0.3)
            for (k, point) in strip.points.enumerated() where point.value.isFinite {
                svg.circle(
                    x: centre + Self.offset(k) * spread, y: frame.py(point.value), radius: 4.5, fill: strip.colour,
                    class: "point", title: "\(strip.name), \(point.label): \(NumberText.fixed(point.value, 4))")
            }
            svg.text(strip.name, x: centre, y: frame.bottom + 20, anchor: .middle, class: "group-label")
            guard let stats = MeanAndDeviation(strip.points.map(\.value)) else { continue }
            if let sd = stats.sd {
                svg.line(centre, frame.py(stats.mean - sd), centre, frame.py(stats.mean + sd), class: "whisker")
                for end in [stats.mean - sd, stats.mean + sd] {
                    svg.line(centre - 6, frame.py(end), centre + 6, frame.py(end), class: "whisker")
                }
            }
            let mean = frame.py(stats.mean)
            svg.line(centre - spread - 8, mean, centre + spread + 8, mean, class: "mean")
            svg.text(stats.text(), x: centre, y: frame.bottom + 36, anchor: .middle, class: "tick")
        }
        return svg.markup
    }

    /// The sideways place of the `k`th point in -1...1: the golden-ratio sequence, which never repeats and fills
    /// the strip evenly, so a plot depends only on the values' order.
    private static func offset(_ k: Int) -> Double {
        ((Double(k) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1) - 0.5) * 2
    }
}
