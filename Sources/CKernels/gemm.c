// distembed_gemm: C (+)= op(A) · op(B), where every element of C is one fused multiply-add chain in the order of k.
//
// The vector paths compute a tile of C (mr rows × nv vectors) at a time: for each p they load one row of B
// (nv vectors across j), broadcast A(i,p) for each of the mr rows, and fuse one multiply-add into each
// accumulator. A lane of an accumulator is then exactly the scalar chain of its element; the vectors run across
// j, never along p, so every path gives the bits of the plain loop
//
//     acc = accumulate ? C[i][j] : +0; for p in 0..<k: acc = fmaf(A(i,p), B(p,j), acc); C[i][j] = acc
//
// The driver blocks k into pieces of KC (a piece starts from the C the previous one stored, which continues the
// chain with the same bits) so the block of B in use stays in the L1 cache while the row tiles stream past it.
// C must not overlap A or B.
#include "fp_rules.h"

#include <math.h>

#include "distembed_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))
/// Unrolls a loop over a tile's rows or vectors completely, which gcc needs (clang does it anyway) before it keeps
/// an array of accumulators in registers rather than on the stack.
#define UNROLL _Pragma("GCC unroll 16")

enum {
    KC = 128,             ///< rows of B per block: a 128 × 64 block is 32 KiB, in the L1 cache with A's rows
    MAX_NV = 4,           ///< the most vectors across a tile
    MAX_MR = 14,          ///< the most rows in a tile
    MAX_PANEL = 64,       ///< the most floats across a tile (MAX_NV vectors of the widest path)
    SCALAR_COLUMNS = 16,  ///< the columns the scalar path takes at a time when B is transposed
};

// ---- The scalar path ---------------------------------------------------------------------------------------

/// C[0 ..< w] (+)= A(i, ·) · B(·, j ..< j + w) for B transposed, w <= SCALAR_COLUMNS: `a` steps through A's row i
/// by `a_step`, `b` points at B's row j (stored as b[j*ldb + p]). The w chains run side by side in registers, each
/// reading its row of b in order, rather than one row of C being swept for every p with b read `ldb` apart.
static void scalar_columns_bt(
    size_t k, const float *restrict a, size_t a_step, const float *restrict b, size_t ldb, float *restrict c,
    size_t w) {
    float acc[SCALAR_COLUMNS];
    for (size_t j = 0; j < w; j++) acc[j] = c[j];
    for (size_t p = 0; p < k; p++)
        for (size_t j = 0; j < w; j++) acc[j] = fmaf(a[p * a_step], b[j * ldb + p], acc[j]);
    for (size_t j = 0; j < w; j++) c[j] = acc[j];
}

/// Row by row: each row of C is a vector of accumulators that every p updates once, in order.
static void scalar_gemm(
    size_t m, size_t n, size_t k, const float *restrict a, int trans_a, size_t lda, const float *restrict b,
    int trans_b, size_t ldb, float *restrict c, size_t ldc, int accumulate) {
    size_t a_step = trans_a ? lda : 1;
    for (size_t i = 0; i < m; i++) {
        float *restrict ci = c + i * ldc;
        const float *ai = trans_a ? a + i : a + i * lda;
        if (!accumulate)
            for (size_t j = 0; j < n; j++) ci[j] = 0.0f;
        if (trans_b)
            for (size_t j = 0; j < n; j += SCALAR_COLUMNS)
                scalar_columns_bt(k, ai, a_step, b + j * ldb, ldb, ci + j,
                                  n - j < SCALAR_COLUMNS ? n - j : SCALAR_COLUMNS);
        else
            for (size_t p = 0; p < k; p++)
                for (size_t j = 0; j < n; j++) ci[j] = fmaf(ai[p * a_step], b[p * ldb + j], ci[j]);
    }
}

/// Row by row like `scalar_gemm`, with A(i, p) = a[row_offsets[i] + column_offsets[p]]; B is not transposed.
static void scalar_gemm_gathered(
    size_t m, size_t n, size_t k, const float *restrict a, const size_t *row_offsets, const size_t *column_offsets,
    const float *restrict b, size_t ldb, float *restrict c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++) {
        float *restrict ci = c + i * ldc;
        const float *restrict ai = a + row_offsets[i];
        if (!accumulate)
            for (size_t j = 0; j < n; j++) ci[j] = 0.0f;
        for (size_t p = 0; p < k; p++) {
            const float x = ai[column_offsets[p]];
            const float *restrict bp = b + p * ldb;
            for (size_t j = 0; j < n; j++) ci[j] = fmaf(x, bp[j], ci[j]);
        }
    }
}

// ---- What a vector path provides ---------------------------------------------------------------------------

/// Where a tile finds A(r, p). A gathered A is how a convolution reads its patches straight from its input image,
/// with no patch matrix: one table says where each output pixel's patch starts, the other where each element of a
/// patch lies from there.
enum a_layout {
    A_ROWS = 0,      ///< a[r*lda + p]
    A_COLUMNS = 1,   ///< a[p*lda + r]: A stored transposed
    A_GATHERED = 2,  ///< a[row_offsets[r] + column_offsets[p]]
};

/// Where a tile's A is and how it is laid out.
struct a_tile {
    const float *a;
    size_t lda;
    const size_t *row_offsets, *column_offsets;  ///< A_GATHERED only
};

/// A(r, p) of a tile, for a layout known when the tile is compiled.
ALWAYS_INLINE const float *a_element(int layout, struct a_tile at, size_t r, size_t p) {
    switch (layout) {
    case A_ROWS: return &at.a[r * at.lda + p];
    case A_COLUMNS: return &at.a[p * at.lda + r];
    default: return &at.a[at.row_offsets[r] + at.column_offsets[p]];
    }
}

/// Computes one tile of mr × nv vectors (the function's fixed shape) over `k` steps of p: A(r,p) as `layout`
/// says; B(p, lane) = b[p*ldb + lane]; C(r, lane) = c[r*ldc + lane]. The accumulators start from C when `load`,
/// else from +0.
/// (The parts of `struct a_tile` go as separate arguments: passed whole, the struct goes through memory, and the
/// transposed layout's tiles ran 10 % slower.)
typedef void tile_fn(
    size_t k, const float *a, size_t lda, const size_t *row_offsets, const size_t *column_offsets, int layout,
    const float *b, size_t ldb, float *c, size_t ldc, int load);

/// Writes dst[p*width + j] = src[j*lds + p] for p < k, j < w, and 0 for w <= j < width.
typedef void pack_transposed_fn(const float *src, size_t lds, size_t k, size_t w, float *dst, size_t width);

struct vector_path {
    size_t lanes;                        ///< floats per vector
    size_t nv_max;                       ///< the most vectors across a tile
    size_t mr_max[MAX_NV];               ///< the most rows for a tile of 1, 2, ... vectors (the registers' limit)
    size_t mr_split[MAX_NV];             ///< the most rows per tile when m needs more than one tile
    tile_fn *tile[MAX_NV][MAX_MR];       ///< [nv - 1][mr - 1]
    pack_transposed_fn *pack_transposed;
};

/// The generic transposing copy; the vector paths use it for the edges their blocked copies leave.
static void pack_transposed_scalar(
    const float *src, size_t lds, size_t p0, size_t k, size_t j0, size_t w, float *dst, size_t width) {
    for (size_t p = p0; p < k; p++)
        for (size_t j = j0; j < w; j++) dst[p * width + j] = src[j * lds + p];
}

/// dst[r*ldd + j] = src[r*lds + j] for r < rows, j < w. A plain loop rather than memcpy: the rows are short.
static void copy_rows(const float *src, size_t lds, size_t rows, size_t w, float *dst, size_t ldd) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < w; j++) dst[r * ldd + j] = src[r * lds + j];
}

/// Zeroes columns w ..< width of k rows. The lanes of a tile past the panel's last column are computed but never
/// stored; starting them from zeros keeps subnormals and NaNs, which are slow on some CPUs, out of them.
static void pad_columns(size_t k, size_t w, float *dst, size_t width) {
    for (size_t p = 0; p < k; p++)
        for (size_t j = w; j < width; j++) dst[p * width + j] = 0.0f;
}

// The tile functions of each path are one always-inline body instantiated for every shape the path uses, so the
// compiler keeps the accumulators in registers. These lists expand F(nv, mr) for mr = 1 ... N.
#define MR_UP_TO_1(F, nv) F(nv, 1)
#define MR_UP_TO_2(F, nv) MR_UP_TO_1(F, nv) F(nv, 2)
#define MR_UP_TO_3(F, nv) MR_UP_TO_2(F, nv) F(nv, 3)
#define MR_UP_TO_4(F, nv) MR_UP_TO_3(F, nv) F(nv, 4)
#define MR_UP_TO_5(F, nv) MR_UP_TO_4(F, nv) F(nv, 5)
#define MR_UP_TO_6(F, nv) MR_UP_TO_5(F, nv) F(nv, 6)
#define MR_UP_TO_7(F, nv) MR_UP_TO_6(F, nv) F(nv, 7)
#define MR_UP_TO_8(F, nv) MR_UP_TO_7(F, nv) F(nv, 8)
#define MR_UP_TO_9(F, nv) MR_UP_TO_8(F, nv) F(nv, 9)
#define MR_UP_TO_10(F, nv) MR_UP_TO_9(F, nv) F(nv, 10)
#define MR_UP_TO_11(F, nv) MR_UP_TO_10(F, nv) F(nv, 11)
#define MR_UP_TO_12(F, nv) MR_UP_TO_11(F, nv) F(nv, 12)
#define MR_UP_TO_13(F, nv) MR_UP_TO_12(F, nv) F(nv, 13)
#define MR_UP_TO_14(F, nv) MR_UP_TO_13(F, nv) F(nv, 14)

/// Defines `prefix_tile_nv_mr` (with the given attributes) from `prefix_tile(nv, mr, layout, ...)`, inlined once
/// for each layout of A.
#define DEFINE_TILE(prefix, attributes, nv, mr)                                                              \
    attributes static void prefix##_tile_##nv##_##mr(                                                        \
        size_t k, const float *a, size_t lda, const size_t *row_offsets, const size_t *column_offsets,       \
        int layout, const float *b, size_t ldb, float *c, size_t ldc, int load) {                            \
        struct a_tile at = {a, lda, row_offsets, column_offsets};                                            \
        switch (layout) {                                                                                    \
        case A_ROWS: prefix##_tile(nv, mr, A_ROWS, k, at, b, ldb, c, ldc, load); break;                      \
        case A_COLUMNS: prefix##_tile(nv, mr, A_COLUMNS, k, at, b, ldb, c, ldc, load); break;                \
        default: prefix##_tile(nv, mr, A_GATHERED, k, at, b, ldb, c, ldc, load); break;                      \
        }                                                                                                    \
    }

// ---- AVX-512F and AVX2 with FMA (x86-64) --------------------------------------------------------------------

#if defined(__x86_64__)

#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))

ALWAYS_INLINE AVX512_TARGET void avx512_tile(
    int nv, int mr, int layout, size_t k, struct a_tile at, const float *b, size_t ldb, float *c, size_t ldc,
    int load) {
    __m512 acc[MAX_MR][MAX_NV];
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) acc[r][v] = load ? _mm512_loadu_ps(c + r * ldc + 16 * v) : _mm512_setzero_ps();
    }
    for (size_t p = 0; p < k; p++) {
        __m512 bv[MAX_NV];
        UNROLL
        for (int v = 0; v < nv; v++) bv[v] = _mm512_loadu_ps(b + p * ldb + 16 * v);
        UNROLL
        for (int r = 0; r < mr; r++) {
            __m512 ar = _mm512_set1_ps(*a_element(layout, at, r, p));
            UNROLL
            for (int v = 0; v < nv; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
        }
    }
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
    }
}

ALWAYS_INLINE AVX2_TARGET void avx2_tile(
    int nv, int mr, int layout, size_t k, struct a_tile at, const float *b, size_t ldb, float *c, size_t ldc,
    int load) {
    __m256 acc[MAX_MR][MAX_NV];
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) acc[r][v] = load ? _mm256_loadu_ps(c + r * ldc + 8 * v) : _mm256_setzero_ps();
    }
    for (size_t p = 0; p < k; p++) {
        __m256 bv[MAX_NV];
        UNROLL
        for (int v = 0; v < nv; v++) bv[v] = _mm256_loadu_ps(b + p * ldb + 8 * v);
        UNROLL
        for (int r = 0; r < mr; r++) {
            __m256 ar = _mm256_broadcast_ss(a_element(layout, at, r, p));
            UNROLL
            for (int v = 0; v < nv; v++) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
        }
    }
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);
    }
}

/// dst[p*ldd + j] = src[j*lds + p] for an 8 × 8 block. Each vector is loaded as two 4-float halves from rows j and
/// j + 4 (the insert runs on any vector port, the load ports do the rest), so in-lane 4 × 4 transposes finish the
/// job with no lane-crossing shuffle, which only one port on Intel runs.
ALWAYS_INLINE AVX2_TARGET void transpose_8x8(const float *src, size_t lds, float *dst, size_t ldd) {
    UNROLL
    for (int half = 0; half < 8; half += 4) {
        __m256 r[4], t[4];
        UNROLL
        for (int q = 0; q < 4; q++)
            r[q] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(src + q * lds + half)),
                                        _mm_loadu_ps(src + (q + 4) * lds + half), 1);
        t[0] = _mm256_unpacklo_ps(r[0], r[1]);  // (p, p) of rows 0 1 for p = half, half + 1
        t[1] = _mm256_unpackhi_ps(r[0], r[1]);  // the same for p = half + 2, half + 3
        t[2] = _mm256_unpacklo_ps(r[2], r[3]);
        t[3] = _mm256_unpackhi_ps(r[2], r[3]);
        _mm256_storeu_ps(dst + (half + 0) * ldd, _mm256_shuffle_ps(t[0], t[2], 0x44));
        _mm256_storeu_ps(dst + (half + 1) * ldd, _mm256_shuffle_ps(t[0], t[2], 0xee));
        _mm256_storeu_ps(dst + (half + 2) * ldd, _mm256_shuffle_ps(t[1], t[3], 0x44));
        _mm256_storeu_ps(dst + (half + 3) * ldd, _mm256_shuffle_ps(t[1], t[3], 0xee));
    }
}

AVX2_TARGET static void pack_transposed_avx2(
    const float *src, size_t lds, size_t k, size_t w, float *dst, size_t width) {
    size_t k8 = k & ~(size_t)7, w8 = w & ~(size_t)7;
    for (size_t j = 0; j < w8; j += 8)
        for (size_t p = 0; p < k8; p += 8) transpose_8x8(src + j * lds + p, lds, dst + p * width + j, width);
    pack_transposed_scalar(src, lds, k8, k, 0, w8, dst, width);
    pack_transposed_scalar(src, lds, 0, k, w8, w, dst, width);
    pad_columns(k, w, dst, width);
}

#define AVX512_TILE(nv, mr) DEFINE_TILE(avx512, AVX512_TARGET, nv, mr)
#define AVX2_TILE(nv, mr) DEFINE_TILE(avx2, AVX2_TARGET, nv, mr)
#define AVX512_TILE_NAME(nv, mr) avx512_tile_##nv##_##mr,
#define AVX2_TILE_NAME(nv, mr) avx2_tile_##nv##_##mr,

// 32 zmm registers: up to 28 accumulators, the row of B, and a broadcast (so 6 rows of 4 vectors, not 7). Where m
// takes several tiles, shorter ones of 2 and 3 vectors are faster when k is short and C comes from L2 (conv1's
// forward pass, m = 1352, k = 9: 6 rows 145 GFLOP/s, 14 rows 120), and as fast when k is long.
MR_UP_TO_14(AVX512_TILE, 1)
MR_UP_TO_14(AVX512_TILE, 2)
MR_UP_TO_9(AVX512_TILE, 3)
MR_UP_TO_6(AVX512_TILE, 4)

static const struct vector_path avx512_path = {
    .lanes = 16,
    .nv_max = 4,
    .mr_max = {14, 14, 9, 6},
    .mr_split = {14, 6, 7, 6},
    .tile = {{MR_UP_TO_14(AVX512_TILE_NAME, 1)},
             {MR_UP_TO_14(AVX512_TILE_NAME, 2)},
             {MR_UP_TO_9(AVX512_TILE_NAME, 3)},
             {MR_UP_TO_6(AVX512_TILE_NAME, 4)}},
    .pack_transposed = pack_transposed_avx2,
};

// 16 ymm registers: up to 12 accumulators, the row of B, and a broadcast.
MR_UP_TO_12(AVX2_TILE, 1)
MR_UP_TO_6(AVX2_TILE, 2)

static const struct vector_path avx2_path = {
    .lanes = 8,
    .nv_max = 2,
    .mr_max = {12, 6},
    .mr_split = {12, 6},
    .tile = {{MR_UP_TO_12(AVX2_TILE_NAME, 1)}, {MR_UP_TO_6(AVX2_TILE_NAME, 2)}},
    .pack_transposed = pack_transposed_avx2,
};

#endif

// ---- NEON (AArch64) ----------------------------------------------------------------------------------------

#if defined(__aarch64__)

ALWAYS_INLINE void neon_tile(
    int nv, int mr, int layout, size_t k, struct a_tile at, const float *b, size_t ldb, float *c, size_t ldc,
    int load) {
    float32x4_t acc[MAX_MR][MAX_NV];
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) acc[r][v] = load ? vld1q_f32(c + r * ldc + 4 * v) : vdupq_n_f32(0.0f);
    }
    for (size_t p = 0; p < k; p++) {
        float32x4_t bv[MAX_NV];
        UNROLL
        for (int v = 0; v < nv; v++) bv[v] = vld1q_f32(b + p * ldb + 4 * v);
        UNROLL
        for (int r = 0; r < mr; r++) {
            float32x4_t ar = vld1q_dup_f32(a_element(layout, at, r, p));
            // vfmaq_f32(acc, x, y) is acc + x·y with one rounding (FMLA), lane by lane.
            UNROLL
            for (int v = 0; v < nv; v++) acc[r][v] = vfmaq_f32(acc[r][v], ar, bv[v]);
        }
    }
    UNROLL
    for (int r = 0; r < mr; r++) {
        UNROLL
        for (int v = 0; v < nv; v++) vst1q_f32(c + r * ldc + 4 * v, acc[r][v]);
    }
}

/// dst[p*ldd + j] = src[j*lds + p] for a 4 × 4 block.
ALWAYS_INLINE void transpose_4x4(const float *src, size_t lds, float *dst, size_t ldd) {
    float32x4_t r0 = vld1q_f32(src), r1 = vld1q_f32(src + lds);
    float32x4_t r2 = vld1q_f32(src + 2 * lds), r3 = vld1q_f32(src + 3 * lds);
    // t0 = (r0[0], r1[0], r0[2], r1[2]), t1 = (r0[1], r1[1], r0[3], r1[3]), and t2, t3 likewise for r2, r3.
    float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(r0, r1)), t1 = vreinterpretq_f64_f32(vtrn2q_f32(r0, r1));
    float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(r2, r3)), t3 = vreinterpretq_f64_f32(vtrn2q_f32(r2, r3));
    vst1q_f32(dst, vreinterpretq_f32_f64(vtrn1q_f64(t0, t2)));
    vst1q_f32(dst + ldd, vreinterpretq_f32_f64(vtrn1q_f64(t1, t3)));
    vst1q_f32(dst + 2 * ldd, vreinterpretq_f32_f64(vtrn2q_f64(t0, t2)));
    vst1q_f32(dst + 3 * ldd, vreinterpretq_f32_f64(vtrn2q_f64(t1, t3)));
}

static void pack_transposed_neon(const float *src, size_t lds, size_t k, size_t w, float *dst, size_t width) {
    size_t k4 = k & ~(size_t)3, w4 = w & ~(size_t)3;
    for (size_t j = 0; j < w4; j += 4)
        for (size_t p = 0; p < k4; p += 4) transpose_4x4(src + j * lds + p, lds, dst + p * width + j, width);
    pack_transposed_scalar(src, lds, k4, k, 0, w4, dst, width);
    pack_transposed_scalar(src, lds, 0, k, w4, w, dst, width);
    pad_columns(k, w, dst, width);
}

#define NEON_TILE(nv, mr) DEFINE_TILE(neon, , nv, mr)
#define NEON_TILE_NAME(nv, mr) neon_tile_##nv##_##mr,

// 32 q registers for the accumulators, the row of B, and the broadcasts: compilers keep each row's broadcast in a
// register of its own (for FMLA by element), so the three together must fit.
MR_UP_TO_14(NEON_TILE, 1)
MR_UP_TO_9(NEON_TILE, 2)
MR_UP_TO_7(NEON_TILE, 3)
MR_UP_TO_5(NEON_TILE, 4)

static const struct vector_path neon_path = {
    .lanes = 4,
    .nv_max = 4,
    .mr_max = {14, 9, 7, 5},
    .mr_split = {14, 9, 7, 5},
    .tile = {{MR_UP_TO_14(NEON_TILE_NAME, 1)},
             {MR_UP_TO_9(NEON_TILE_NAME, 2)},
             {MR_UP_TO_7(NEON_TILE_NAME, 3)},
             {MR_UP_TO_5(NEON_TILE_NAME, 4)}},
    .pack_transposed = pack_transposed_neon,
};

#endif

// ---- The blocked driver ------------------------------------------------------------------------------------

struct operands {
    struct a_tile a;  ///< the whole of A
    int layout;       ///< an `a_layout`
    const float *b;
    int trans_b;
    size_t ldb;
    float *c;
    size_t ldc;
};

/// One block of B as the tiles read it: `kc` rows of `width` floats, `ld` apart.
struct b_block {
    const float *b;
    size_t ld;
    size_t width;
};

/// The packed block of B (when B is transposed, or the panel ends inside a vector), one per thread so that
/// several threads may multiply at once.
static _Thread_local _Alignas(64) float packed_b[KC * MAX_PANEL];

/// A tile whose last vector runs past the panel's `w` columns of C: computed in a full-width copy of its rows.
static void edge_tile(
    tile_fn *tile, size_t mr, size_t kc, struct a_tile at, int layout, struct b_block bb, float *c, size_t ldc,
    size_t w, int load) {
    _Alignas(64) float t[MAX_MR * MAX_PANEL];
    if (load) {
        copy_rows(c, ldc, mr, w, t, bb.width);
        pad_columns(mr, w, t, bb.width);
    }
    tile(kc, at.a, at.lda, at.row_offsets, at.column_offsets, layout, bb.b, bb.ld, t, bb.width, load);
    copy_rows(t, bb.width, mr, w, c, ldc);
}

/// Rows 0 ..< m of the panel (columns j0 ..< j0 + w) over the block p0 ..< p0 + kc: one tile when the registers
/// hold m rows, else tiles of nearly equal height (so no tile is left with a row or two) of at most mr_split rows.
static void row_tiles(
    const struct vector_path *path, const struct operands *o, size_t m, size_t j0, size_t w, size_t nv,
    size_t p0, size_t kc, struct b_block bb, int load) {
    size_t height = m <= path->mr_max[nv - 1] ? m : path->mr_split[nv - 1];
    size_t tiles = (m + height - 1) / height;
    size_t i0 = 0;
    for (size_t t = 0; t < tiles; t++) {
        size_t mr = m / tiles + (t < m % tiles);
        tile_fn *tile = path->tile[nv - 1][mr - 1];
        struct a_tile at = o->a;
        switch (o->layout) {
        case A_ROWS: at.a += i0 * at.lda + p0; break;
        case A_COLUMNS: at.a += p0 * at.lda + i0; break;
        default: at.row_offsets += i0, at.column_offsets += p0; break;
        }
        float *c = o->c + i0 * o->ldc + j0;
        if (w == bb.width)
            tile(kc, at.a, at.lda, at.row_offsets, at.column_offsets, o->layout, bb.b, bb.ld, c, o->ldc, load);
        else
            edge_tile(tile, mr, kc, at, o->layout, bb, c, o->ldc, w, load);
        i0 += mr;
    }
}

/// The block p0 ..< p0 + kc of B's columns j0 ..< j0 + w, padded with zeros to `width`.
static struct b_block b_block(
    const struct vector_path *path, const struct operands *o, size_t j0, size_t w, size_t width, size_t p0,
    size_t kc) {
    if (o->trans_b) {
        path->pack_transposed(o->b + j0 * o->ldb + p0, o->ldb, kc, w, packed_b, width);
        return (struct b_block){packed_b, width, width};
    }
    if (w != width) {
        copy_rows(o->b + p0 * o->ldb + j0, o->ldb, kc, w, packed_b, width);
        pad_columns(kc, w, packed_b, width);
        return (struct b_block){packed_b, width, width};
    }
    return (struct b_block){o->b + p0 * o->ldb + j0, o->ldb, width};
}

static void vector_gemm(
    const struct vector_path *path, const struct operands *o, size_t m, size_t n, size_t k, int accumulate) {
    size_t panel = path->nv_max * path->lanes;
    for (size_t j0 = 0; j0 < n; j0 += panel) {
        size_t w = n - j0 < panel ? n - j0 : panel;
        size_t nv = (w + path->lanes - 1) / path->lanes;
        for (size_t p0 = 0; p0 < k; p0 += KC) {
            size_t kc = k - p0 < KC ? k - p0 : KC;
            struct b_block bb = b_block(path, o, j0, w, nv * path->lanes, p0, kc);
            row_tiles(path, o, m, j0, w, nv, p0, kc, bb, accumulate || p0 > 0);
        }
    }
}

static const struct vector_path *vector_path(int isa) {
    switch (isa) {
#if defined(__x86_64__)
    case DISTEMBED_ISA_AVX512: return &avx512_path;
    case DISTEMBED_ISA_AVX2: return &avx2_path;
#elif defined(__aarch64__)
    case DISTEMBED_ISA_NEON: return &neon_path;
#endif
    default: return NULL;
    }
}

void distembed_gemm(
    size_t m, size_t n, size_t k, const float *a, int trans_a, size_t lda, const float *b, int trans_b, size_t ldb,
    float *c, size_t ldc, int accumulate) {
    const struct vector_path *path = vector_path(distembed_isa_active());
    if (m == 0 || n == 0) return;
    if (path == NULL || k == 0) {
        scalar_gemm(m, n, k, a, trans_a, lda, b, trans_b, ldb, c, ldc, accumulate);
        return;
    }
    struct operands o = {{a, lda, NULL, NULL}, trans_a ? A_COLUMNS : A_ROWS, b, trans_b != 0, ldb, c, ldc};
    vector_gemm(path, &o, m, n, k, accumulate);
}

void distembed_gemm_gathered(
    size_t m, size_t n, size_t k, const float *a, const size_t *row_offsets, const size_t *column_offsets,
    const float *b, size_t ldb, float *c, size_t ldc, int accumulate) {
    const struct vector_path *path = vector_path(distembed_isa_active());
    if (m == 0 || n == 0) return;
    if (path == NULL || k == 0) {
        scalar_gemm_gathered(m, n, k, a, row_offsets, column_offsets, b, ldb, c, ldc, accumulate);
        return;
    }
    struct operands o = {{a, 0, row_offsets, column_offsets}, A_GATHERED, b, 0, ldb, c, ldc};
    vector_gemm(path, &o, m, n, k, accumulate);
}
