/// Embeddings or labels the contrastive and triplet losses cannot be evaluated on; the description says what to fix.
public enum EmbeddingLossError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The embeddings array is not 2-D (one row per sample).
    case embeddingsNotTwoDimensional(shape: String)
    /// The embeddings are neither float32 nor float64.
    case unsupportedEmbeddingType(String)
    /// The values do not fill `rows × columns`.
    case valueCountMismatch(rows: Int, columns: Int, count: Int)
    /// The embeddings have no columns.
    case noColumns
    /// The labels array is not 1-D.
    case labelsNotOneDimensional(shape: String)
    /// A label is not an integer class id.
    case nonIntegerLabel(index: Int, value: Double)
    /// There are not as many labels as embedding rows.
    case labelCountMismatch(rows: Int, labels: Int)
    /// Fewer than two rows: contrastive needs another row to pair each anchor with.
    case tooFewRows(Int)
    /// An embedding value is NaN or infinite.
    case nonFinite(row: Int, column: Int, value: Double)
    /// Every embedding value is the same, so min-max normalisation would divide by zero.
    case constantEmbeddings(value: Double)
    /// The largest minus the smallest value overflows the element type, so normalisation would give NaN.
    case rangeOverflow(minimum: Double, maximum: Double)
    /// The margin is NaN, infinite, or not representable in the embeddings' element type.
    case invalidMargin(Double)
    /// Every sample has the same label, so triplet has no negative to draw.
    case singleClass(label: Int)

    /// What was wrong and what to do about it, in one line.
    public var description: String {
        switch self {
        case .embeddingsNotTwoDimensional(let shape):
            "embeddings must be a 2-D array (samples × dimensions), but the shape is \(shape)"
        case .unsupportedEmbeddingType(let type):
            "embeddings must be float32 or float64, but they are \(type); convert them with a.astype(np.float32)"
        case .valueCountMismatch(let rows, let columns, let count):
            "\(rows) × \(columns) embeddings need \(rows * columns) values, but \(count) were given"
        case .noColumns:
            "embeddings have no dimensions (0 columns)"
        case .labelsNotOneDimensional(let shape):
            "labels must be a 1-D array of class ids, but the shape is \(shape)"
        case .nonIntegerLabel(let index, let value):
            "label \(value) at index \(index) is not an integer class id"
        case .labelCountMismatch(let rows, let labels):
            "there are \(rows) embedding rows but \(labels) labels; give one label per row"
        case .tooFewRows(let rows):
            "at least 2 samples are needed (contrastive pairs each anchor with another sample), but there are \(rows)"
        case .nonFinite(let row, let column, let value):
            "embedding value \(value) at row \(row), column \(column) is not finite"
        case .constantEmbeddings(let value):
            "every embedding value is \(value), so min-max normalisation would divide by zero"
        case .rangeOverflow(let minimum, let maximum):
            "the embedding values span \(minimum) to \(maximum), a range too large to normalise; rescale them"
        case .invalidMargin(let margin):
            "the margin \(margin) is not a finite number in the embeddings' precision"
        case .singleClass(let label):
            "every sample has label \(label), so the triplet loss has no negative example; give at least 2 classes"
        }
    }
}
