// DistEmbed's portable training kernels: every output is a fixed sequence of IEEE-754 binary32 operations, the
// same on every instruction set (scalar, AVX2, AVX-512, NEON), so the same inputs give the same bits on any CPU.
//
// The rules every kernel here keeps (Docs/Determinism.md, "The same bits on every machine"):
// - fused multiply-add only where the code writes it (fmaf, or a vector fma lane by lane), never by contraction;
// - the order of every sum is fixed by the code: vectors run across independent outputs, never along a sum;
// - no fast-math, no approximate reciprocals, no flushing of denormals, no libm transcendentals.
#ifndef DISTEMBED_KERNELS_H
#define DISTEMBED_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Instruction-set paths ---------------------------------------------------------------------------------

/// The code paths a kernel may take. Every path gives the same bits; they differ only in speed.
enum distembed_isa {
    DISTEMBED_ISA_SCALAR = 0,
    DISTEMBED_ISA_AVX2 = 1,    ///< x86-64 with AVX2 and FMA
    DISTEMBED_ISA_AVX512 = 2,  ///< x86-64 with AVX-512F
    DISTEMBED_ISA_NEON = 3,    ///< aarch64 Advanced SIMD
};

/// The fastest path this CPU supports.
int distembed_isa_best(void);
/// The path the kernels take now (the best one unless `distembed_isa_select` chose another).
int distembed_isa_active(void);
/// Makes the kernels take `isa`; returns 0, or -1 (and changes nothing) when this CPU or build lacks it.
/// For tests and benchmarks that compare paths; not thread-safe against running kernels.
int distembed_isa_select(int isa);
/// "scalar", "avx2", "avx512", "neon", or "unknown".
const char *distembed_isa_name(int isa);

/// This core's measured peak of fused multiply-adds, in GFLOP/s, on `isa`'s widest vectors (one register of
/// independent chains per fma latency and port); 0 when this CPU or build lacks the path. Takes a few milliseconds.
double distembed_fma_peak(int isa);

// ---- Matrix product ----------------------------------------------------------------------------------------

/// `C[m×n] (+)= op(A)[m×k] · op(B)[k×n]`, row-major; `op(X)` is `X`, or its transpose when `trans_x` is 1
/// (then `X` is stored `k×m` or `n×k`). Each element is one fused multiply-add chain in the order of `k`:
///
///     acc = accumulate ? C[i][j] : 0
///     for p in 0..<k: acc = fmaf(A(i,p), B(p,j), acc)
///     C[i][j] = acc
///
/// `k == 0` leaves `C` as `acc`'s start. `C` must not overlap `A` or `B`.
void distembed_gemm(
    size_t m, size_t n, size_t k,
    const float *a, int trans_a, size_t lda,
    const float *b, int trans_b, size_t ldb,
    float *c, size_t ldc, int accumulate);

/// `distembed_gemm` with A gathered through two tables, `A(i, p) = a[row_offsets[i] + column_offsets[p]]` (m and k
/// entries); B is `k×n`, not transposed. The same fused multiply-add chain per element as `distembed_gemm` over the
/// gathered matrix, so the same bits. A convolution reads its patches from the input image this way (where each
/// output pixel's patch starts, and where each element of a patch lies from there) instead of laying them out as a
/// matrix first.
void distembed_gemm_gathered(
    size_t m, size_t n, size_t k,
    const float *a, const size_t *row_offsets, const size_t *column_offsets,
    const float *b, size_t ldb,
    float *c, size_t ldc, int accumulate);

// ---- exp and log -------------------------------------------------------------------------------------------

/// e^x, correctly rounded for every float input (checked exhaustively: Tests/Portable/exp_log_check.c), from
/// exact range reduction, constant tables and fixed polynomials in double: the same bits on every machine
/// (glibc's expf is not: it picks an FMA variant at run time). Overflow gives +inf, underflow goes through the
/// subnormals to 0; NaN gives a quiet NaN.
float distembed_expf(float x);
/// The natural logarithm, correctly rounded the same way. log(±0) = -inf, log(x < 0) = NaN, log(+inf) = +inf.
float distembed_logf(float x);

// ---- Softmax with cross-entropy ----------------------------------------------------------------------------

/// Replaces `logits[0..<classes]` (classes >= 1) with their softmax and returns the cross-entropy of `label`,
/// `log(Σ exp(z - max)) - (z[label] - max)`. `*argmax` receives the first index of the largest logit.
/// The sum runs over the classes in order.
float distembed_softmax_xent(float *logits, size_t classes, size_t label, size_t *argmax);

#ifdef __cplusplus
}
#endif

#endif
