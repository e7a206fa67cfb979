/// A scatter plot of coloured points, each with a hover tooltip.
struct ScatterPlot {
    /// One point: its position, fill colour and tooltip.
    struct Point {
        var x: Double
        var y: Double
        var colour: String
        var title: String
    }

    var title: String
    var xLabel: String
    var yLabel: String
    /// Drawn in order, so later points lie on top; non-finite points are skipped.
    var points: [Point]
    var width = 540.0
    var height = 440.0

    /// The plot as an `<svg>` element.
    var svg: String {
        let shown = points.filter { $0.x.isFinite && $0.y.isFinite }
        let x = Self.scale(shown.map(\.x)), y = Self.scale(shown.map(\.y))
        let frame = ChartFrame(width: width, height: height, x: x, y: y)
        var svg = frame.document(title: title, xLabel: xLabel, yLabel: yLabel)
        for point in shown {
            svg.circle(
                x: frame.px(point.x), y: frame.py(point.y), radius: 5, fill: point.colour, class: "point",
                title: point.title)
        }
        return svg.markup
    }

    /// An axis over `values` with a little room beyond the outermost ones, so no point sits on the frame.
    private static func scale(_ values: [Double]) -> NiceScale {
        let low = values.min() ?? -1, high = values.max() ?? 1
        let pad = (high - low) * 0.04
        return NiceScale(covering: low - pad, high + pad)
    }
}
