/// The Keras `model.summary()` table: layer (type), output shape, parameter count, and the totals.
public enum ModelSummary {
    public static func table(_ model: Model, title: String = "sequential") -> String {
        let typeNames = ["conv2d": "Conv2D", "dense": "Dense", "flatten": "Flatten", "dropout": "Dropout"]
        let rows = model.layers.map { layer in
            ("\(layer.name) (\(typeNames[layer.typeName] ?? layer.typeName))",
             "(None, " + layer.outputShape.map(String.init).joined(separator: ", ") + ")",
             grouped(layer.parameterCount))
        }
        let w0 = max(28, rows.map(\.0.count).max() ?? 0 + 2)
        let w1 = max(25, rows.map(\.1.count).max() ?? 0 + 2)
        let width = w0 + w1 + 12
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(w - s.count, 1)) }
        var lines = ["Model: \"\(title)\"", String(repeating: "_", count: width)]
        lines.append(pad("Layer (type)", w0) + pad("Output Shape", w1) + "Param #")
        lines.append(String(repeating: "=", count: width))
        for (i, row) in rows.enumerated() {
            lines.append(pad(row.0, w0) + pad(row.1, w1) + row.2)
            lines.append(String(repeating: i == rows.count - 1 ? "=" : "_", count: width))
        }
        lines.append("Total params: \(grouped(model.parameterCount))")
        lines.append("Trainable params: \(grouped(model.parameterCount))")
        lines.append("Non-trainable params: 0")
        return lines.joined(separator: "\n")
    }

    /// `72842` as `72,842`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
