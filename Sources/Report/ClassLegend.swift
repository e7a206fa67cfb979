/// How the report's plots show a class: the name the spec's `dataset.classNames` gives its label, else the label
/// itself, and a colour.
struct ClassLegend {
    /// Ten colours told apart in print and by most colour-blind readers (Tableau 10 with its light grey darkened),
    /// indexed by label.
    static let colours = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#3b3b3b",
    ]

    /// The class names by label; empty: labels are shown as numbers.
    let names: [String]

    /// The name of `label`, or "class N" when the spec names no class for it.
    func name(_ label: Int) -> String {
        names.indices.contains(label) ? names[label] : "class \(label)"
    }

    /// The colour of `label`, grey beyond the tenth class.
    static func colour(_ label: Int) -> String {
        colours.indices.contains(label) ? colours[label] : "#bbbbbb"
    }
}
