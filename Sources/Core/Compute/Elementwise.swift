/// The small loops around the matrix products, each in one fixed order.
enum Elementwise {
    @inline(__always)
    static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = max(x[i], 0) }
    }

    /// Zeroes the gradient where the ReLU's output was zero.
    @inline(__always)
    static func reluBackward(_ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        for i in 0..<count where !(output[i] > 0) { gradient[i] = 0 }
    }

    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { out[i] = a[i] * b[i] }
    }

    /// `out[j] = Σ_r x[r][j]`, rows added top to bottom.
    @inline(__always)
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(from: x, count: width)
        for r in 1..<max(rows, 1) {
            let row = x + r * width
            for j in 0..<width { out[j] += row[j] }
        }
    }

    /// `a[i] += b[i]`.
    @inline(__always)
    public static func add(_ b: UnsafePointer<Float>, to a: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { a[i] += b[i] }
    }
}
