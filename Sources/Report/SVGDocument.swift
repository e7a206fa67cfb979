/// An SVG image built element by element; every text and attribute value is escaped.
struct SVGDocument {
    /// Where a text's `x` lies along it.
    enum Anchor: String {
        case start, middle, end
    }

    let width: Double
    let height: Double
    /// What the image shows, for screen readers.
    let label: String
    private var elements: [String] = []

    init(width: Double, height: Double, label: String) {
        self.width = width
        self.height = height
        self.label = label
    }

    /// The finished `<svg>` element, scaled by CSS to its container.
    var markup: String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        let viewBox = "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
        let open = "<svg \(viewBox) \(size) role=\"img\" aria-label=\"\(label.htmlEscaped)\">"
        return ([open] + elements + ["</svg>"]).joined(separator: "\n")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class cssClass: String) {
        elements.append(
            "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" "
                + "y2=\"\(Self.number(y2))\" class=\"\(cssClass.htmlEscaped)\"/>")
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], class cssClass: String) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" class=\"\(cssClass.htmlEscaped)\"/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil) {
        let shape = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
            + "height=\"\(Self.number(height))\" fill=\"\(fill.htmlEscaped)\""
        elements.append(Self.closing(shape, tag: "rect", title: title))
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, class cssClass: String, title: String?) {
        let shape = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" "
            + "fill=\"\(fill.htmlEscaped)\" class=\"\(cssClass.htmlEscaped)\""
        elements.append(Self.closing(shape, tag: "circle", title: title))
    }

    /// A text at (`x`, `y`), turned a quarter anticlockwise about that point when `vertical`.
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start, class cssClass: String,
        vertical: Bool = false
    ) {
        let turn = vertical ? " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" : ""
        elements.append(
            "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" text-anchor=\"\(anchor.rawValue)\" "
                + "class=\"\(cssClass.htmlEscaped)\"\(turn)>\(content.htmlEscaped)</text>")
    }

    /// `shape` closed, with a hover tooltip when `title` is given.
    private static func closing(_ shape: String, tag: String, title: String?) -> String {
        guard let title else { return shape + "/>" }
        return shape + "><title>\(title.htmlEscaped)</title></\(tag)>"
    }

    /// A coordinate with at most one decimal; 0 for a value no drawing can hold.
    private static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
