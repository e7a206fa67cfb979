import CKernels

/// Single-precision matrix products through DistEmbed's own portable kernel (`distembed_gemm`), row-major: every
/// element is one fused multiply-add chain in the order of `k`, so the bits are the same on every CPU and for
/// every vector width (Docs/Determinism.md, "The same bits on every machine").
public enum Gemm {
    /// `C[m×n] = op(A) · op(B)`, or `C + op(A) · op(B)` with `accumulate`, where `op(X)` is `X` or its transpose.
    @inline(__always)
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, transposeA: Bool = false, lda: Int,
        b: UnsafePointer<Float>, transposeB: Bool = false, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false
    ) {
        distembed_gemm(m, n, k, a, transposeA ? 1 : 0, lda, b, transposeB ? 1 : 0, ldb, c, ldc, accumulate ? 1 : 0)
    }
}
