/// Fashion-MNIST's ten classes: the names its labels 0–9 stand for, and a colour for each in the report's plots.
enum FashionMNISTClass {
    /// The class names, indexed by label.
    static let names = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Ten colours told apart in print and by most colour-blind readers (Tableau 10 with its light grey darkened),
    /// indexed by label.
    static let colours = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#3b3b3b",
    ]

    /// The name of `label`, or "class N" for a label outside 0–9.
    static func name(_ label: Int) -> String {
        names.indices.contains(label) ? names[label] : "class \(label)"
    }

    /// The colour of `label`, grey for a label outside 0–9.
    static func colour(_ label: Int) -> String {
        colours.indices.contains(label) ? colours[label] : "#bbbbbb"
    }
}
