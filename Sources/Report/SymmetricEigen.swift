/// The eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method: deterministic, no randomness.
struct SymmetricEigen {
    /// Eigenvalues, largest first.
    let values: [Double]
    /// Unit eigenvectors, `vectors[k]` belonging to `values[k]`.
    let vectors: [[Double]]

    /// Diagonalises the `n`×`n` symmetric `matrix` (row-major) by plane rotations until the off-diagonal part
    /// vanishes relative to the diagonal, or after 100 sweeps.
    init(symmetric matrix: [Double], size n: Int) {
        precondition(matrix.count == n * n, "a \(n)×\(n) matrix needs \(n * n) values, got \(matrix.count)")
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var offDiagonal = 0.0, diagonal = 0.0
            for p in 0..<n {
                diagonal += a[p * n + p] * a[p * n + p]
                for q in (p + 1)..<n { offDiagonal += a[p * n + q] * a[p * n + q] }
            }
            if offDiagonal <= 1e-30 * diagonal || offDiagonal == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p * n + q] != 0 {
                    Self.rotate(&a, &v, n, p, q)
                }
            }
        }
        let diagonal = (0..<n).map { a[$0 * n + $0] }
        let order = (0..<n).sorted { diagonal[$0] > diagonal[$1] || (diagonal[$0] == diagonal[$1] && $0 < $1) }
        values = order.map { diagonal[$0] }
        vectors = order.map { k in (0..<n).map { v[$0 * n + k] } }
    }

    /// Applies the rotation in plane (`p`, `q`) that zeroes `a[p][q]`: `a ← Jᵀ a J`, `v ← v J`.
    private static func rotate(_ a: inout [Double], _ v: inout [Double], _ n: Int, _ p: Int, _ q: Int) {
        let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
        let t = (theta < 0 ? -1.0 : 1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<n {
            let kp = a[k * n + p], kq = a[k * n + q]
            a[k * n + p] = c * kp - s * kq
            a[k * n + q] = s * kp + c * kq
        }
        for k in 0..<n {
            let pk = a[p * n + k], qk = a[q * n + k]
            a[p * n + k] = c * pk - s * qk
            a[q * n + k] = s * pk + c * qk
        }
        for k in 0..<n {
            let kp = v[k * n + p], kq = v[k * n + q]
            v[k * n + p] = c * kp - s * kq
            v[k * n + q] = s * kp + c * kq
        }
    }
}
