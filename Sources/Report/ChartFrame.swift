/// The box a chart draws in: a title above, a plot area with horizontal grid lines, the y axis ticked on the
/// left and, when it is numeric, the x axis ticked below, each axis with its label.
struct ChartFrame {
    let width: Double
    let height: Double
    /// The value axis.
    let y: NiceScale
    /// The horizontal axis, or `nil` when the chart lays out categories itself.
    let x: NiceScale?
    /// The plot area's edges in pixels.
    let left = 64.0, top = 40.0
    var right: Double { width - 20 }
    var bottom: Double { height - 50 }
    /// Pixels kept clear inside the plot area's left and right edges, so marks at the ends are not cut.
    let inset: Double

    init(width: Double, height: Double, x: NiceScale?, y: NiceScale, inset: Double = 0) {
        self.width = width
        self.height = height
        self.x = x
        self.y = y
        self.inset = inset
    }

    /// The horizontal pixel position of `value` on the x axis.
    func px(_ value: Double) -> Double {
        x?.position(value, from: left + inset, to: right - inset) ?? left
    }

    /// The vertical pixel position of `value` on the y axis.
    func py(_ value: Double) -> Double {
        y.position(value, from: bottom, to: top)
    }

    /// A new image with the title, grid, ticks, axes and axis labels drawn; the marks go on top.
    func document(title: String, xLabel: String, yLabel: String) -> SVGDocument {
        var svg = SVGDocument(width: width, height: height, label: title)
        svg.text(title, x: width / 2, y: 22, anchor: .middle, class: "chart-title")
        for tick in y.ticks {
            svg.line(left, py(tick), right, py(tick), class: "grid")
            svg.text(y.label(tick), x: left - 8, y: py(tick) + 4, anchor: .end, class: "tick")
        }
        if let x {
            for tick in x.ticks {
                svg.line(px(tick), bottom, px(tick), bottom + 5, class: "axis")
                svg.text(x.label(tick), x: px(tick), y: bottom + 19, anchor: .middle, class: "tick")
            }
        }
        svg.line(left, top, left, bottom, class: "axis")
        svg.line(left, bottom, right, bottom, class: "axis")
        svg.text(xLabel, x: (left + right) / 2, y: height - 12, anchor: .middle, class: "axis-label")
        svg.text(yLabel, x: 16, y: (top + bottom) / 2, anchor: .middle, class: "axis-label", vertical: true)
        return svg
    }
}
