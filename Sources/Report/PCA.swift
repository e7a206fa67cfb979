/// Principal component analysis of a row-major matrix, deterministic and in Float64: columns are centred, the
/// covariance is diagonalised by the Jacobi method, and each component's sign is chosen so that its
/// largest-magnitude loading is positive (the first such loading when several tie), so the output is stable.
public enum PCA {
    /// The principal axes of a set of rows.
    public struct Fit: Sendable, Equatable {
        /// The column means that were subtracted (zeros for degenerate input).
        public var mean: [Double]
        /// Unit directions, largest variance first; a direction with no variance along it is all zeros.
        public var components: [[Double]]
        /// The variance of the rows along each component (divided by rows − 1).
        public var variances: [Double]
        /// The total variance of the rows, the sum over all columns.
        public var totalVariance: Double

        /// The coordinates of each row of `values` (`columns` wide, row-major) along the components.
        public func project(_ values: [Float], rows: Int) -> [[Double]] {
            let columns = mean.count
            precondition(values.count == rows * columns, "\(rows) rows of \(columns) need \(rows * columns) values")
            return (0..<rows).map { r in
                components.map { direction in
                    guard direction.contains(where: { $0 != 0 }) else { return 0 }
                    var sum = 0.0
                    for c in 0..<columns { sum += (Double(values[r * columns + c]) - mean[c]) * direction[c] }
                    return sum
                }
            }
        }
    }

    /// Finds the first `components` principal axes of `rows` rows of `columns` values (row-major).
    ///
    /// Degenerate input gives zero components: fewer than 2 rows, all rows equal, any non-finite value (or one
    /// whose square overflows), or more components asked for than the data has directions of variance.
    public static func fit(_ values: [Float], rows: Int, columns: Int, components: Int = 2) -> Fit {
        precondition(rows >= 0 && columns >= 0 && components >= 0, "sizes must not be negative")
        precondition(values.count == rows * columns, "\(rows) rows of \(columns) need \(rows * columns) values")
        let zeros = [[Double]](repeating: [Double](repeating: 0, count: columns), count: components)
        let degenerate = Fit(
            mean: .init(repeating: 0, count: columns), components: zeros,
            variances: .init(repeating: 0, count: components), totalVariance: 0)
        guard rows >= 2, values.allSatisfy(\.isFinite) else { return degenerate }
        var mean = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns { mean[c] += Double(values[r * columns + c]) } }
        for c in 0..<columns { mean[c] /= Double(rows) }
        let covariance = covariance(values, rows: rows, columns: columns, mean: mean)
        guard covariance.allSatisfy(\.isFinite) else { return degenerate }
        let eigen = SymmetricEigen(symmetric: covariance, size: columns)
        let total = (0..<columns).reduce(0.0) { $0 + covariance[$1 * columns + $1] }
        // Eigenvalues below this are rounding noise around a direction the data does not span.
        let floor = 1e-12 * total
        var directions = zeros, variances = [Double](repeating: 0, count: components)
        for k in 0..<min(components, columns) where eigen.values[k] > floor {
            directions[k] = signNormalised(eigen.vectors[k])
            variances[k] = eigen.values[k]
        }
        return Fit(mean: mean, components: directions, variances: variances, totalVariance: total)
    }

    /// The coordinates of `rows` rows of `columns` values (row-major) along their first `components` principal
    /// axes: `rows` arrays of `components` values, zeros for degenerate input
    /// (see ``fit(_:rows:columns:components:)``).
    public static func project(_ values: [Float], rows: Int, columns: Int, components: Int = 2) -> [[Double]] {
        fit(values, rows: rows, columns: columns, components: components).project(values, rows: rows)
    }

    /// The sample covariance (divided by rows − 1) of the centred columns, row-major.
    private static func covariance(_ values: [Float], rows: Int, columns: Int, mean: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: columns * columns)
        var centred = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns { centred[c] = Double(values[r * columns + c]) - mean[c] }
            for i in 0..<columns {
                for j in i..<columns { result[i * columns + j] += centred[i] * centred[j] }
            }
        }
        for i in 0..<columns {
            for j in i..<columns {
                result[i * columns + j] /= Double(rows - 1)
                result[j * columns + i] = result[i * columns + j]
            }
        }
        return result
    }

    /// `direction` or its negation, whichever makes the first largest-magnitude entry positive.
    private static func signNormalised(_ direction: [Double]) -> [Double] {
        var largest = 0.0
        for x in direction where abs(x) > abs(largest) { largest = x }
        return largest < 0 ? direction.map { -$0 } : direction
    }
}
