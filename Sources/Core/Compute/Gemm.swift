import COpenBLAS

/// Single-precision matrix products through OpenBLAS, row-major, on the calling thread only.
///
/// OpenBLAS is pinned to one thread the first time this is used: a worker process is one core, and a
/// single-threaded GEMM of a given shape sums in one fixed order, so a chunk's gradient is the same bits on
/// every call (the determinism contract's point 2). The kernel fingerprint catches a different OpenBLAS build.
public enum Gemm {
    private static let configured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or its transpose.
    @inline(__always)
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, transposeA: Bool = false, lda: Int,
        b: UnsafePointer<Float>, transposeB: Bool = false, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0
    ) {
        precondition(configured)
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
