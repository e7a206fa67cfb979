// Times distembed_gemm on the model's products for one chunk of 8 samples, on every path this CPU and build have,
// next to single-threaded OpenBLAS (when built with -DHAVE_OPENBLAS), and against this core's measured peak of
// fused multiply-adds.
//
//     gemm_bench [rounds] [offset]
//
// Each figure is the best of `rounds` (default 15) timed batches; the paths and shapes take turns inside every
// round, so a slow spell of a noisy machine falls on all of them alike. The "chunk" line adds one call of every
// shape: the time the products of one chunk take. Every operand starts `offset` floats (default 4) past a 64-byte
// boundary: Swift's arrays are only 16-byte aligned, and a 64-byte vector load across two cache lines costs more.
//
// x86-64: cc -O3 -ffp-contract=off -fno-math-errno -ISources/CKernels/include -DHAVE_OPENBLAS \
//     Sources/CKernels/gemm.c Sources/CKernels/isa.c Tests/Portable/gemm_bench.c -lopenblas -lm -o gemm_bench
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distembed_kernels.h"

#if defined(HAVE_OPENBLAS)
#include <cblas.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// ---- The core's peak ---------------------------------------------------------------------------------------

/// Where the peak kernels leave their result: a store the compiler may not move across the clock readings.
float peak_sink;

/// GFLOP/s of the best of three runs of `kernel`, which does `flops_per_iteration` flops per iteration. A run takes
/// about a millisecond, like a batch of products, so the two are as likely to be interrupted.
static double peak(void (*kernel)(long), double flops_per_iteration) {
    const long iterations = 250000;
    double best = 1e30;
    for (int run = 0; run < 3; run++) {
        double t = now();
        kernel(iterations);
        t = now() - t;
        if (t < best) best = t;
    }
    return flops_per_iteration * (double)iterations / best / 1e9;
}

// Each kernel keeps more independent fma chains than the latency (4 cycles) times the ports (2) needs.
#if defined(__x86_64__)
enum { ZMM_CHAINS = 24, YMM_CHAINS = 12 };

__attribute__((target("avx512f"), noinline)) static void zmm_chains(long iterations) {
    __m512 acc[ZMM_CHAINS], x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < ZMM_CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 24
        for (int i = 0; i < ZMM_CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    }
    for (int i = 1; i < ZMM_CHAINS; i++) acc[0] = _mm512_add_ps(acc[0], acc[i]);
    peak_sink = _mm512_reduce_add_ps(acc[0]);
}

__attribute__((target("avx2,fma"), noinline)) static void ymm_chains(long iterations) {
    __m256 acc[YMM_CHAINS], x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < YMM_CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < YMM_CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    }
    for (int i = 1; i < YMM_CHAINS; i++) acc[0] = _mm256_add_ps(acc[0], acc[i]);
    peak_sink = _mm256_cvtss_f32(acc[0]);
}
#elif defined(__aarch64__)
enum { Q_CHAINS = 24 };

__attribute__((noinline)) static void q_chains(long iterations) {
    float32x4_t acc[Q_CHAINS], x = vdupq_n_f32(0.999f), y = vdupq_n_f32(1e-7f);
    for (int i = 0; i < Q_CHAINS; i++) acc[i] = vdupq_n_f32((float)i);
    for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 24
        for (int i = 0; i < Q_CHAINS; i++) acc[i] = vfmaq_f32(y, acc[i], x);
    }
    for (int i = 1; i < Q_CHAINS; i++) acc[0] = vaddq_f32(acc[0], acc[i]);
    peak_sink = vgetq_lane_f32(acc[0], 0);
}
#endif

/// The widest and the narrowest vectors' peaks (the same when the core has one width).
struct peaks {
    double wide, narrow;
};

#if defined(__x86_64__)
static const char wide_name[] = "zmm", narrow_name[] = "ymm";

static struct peaks measure_peaks(void) {
    struct peaks p = {0, 0};
    if (distembed_isa_select(DISTEMBED_ISA_AVX2) == 0) p.narrow = peak(ymm_chains, YMM_CHAINS * 16.0);
    p.wide = distembed_isa_select(DISTEMBED_ISA_AVX512) == 0 ? peak(zmm_chains, ZMM_CHAINS * 32.0) : p.narrow;
    return p;
}
#elif defined(__aarch64__)
static const char wide_name[] = "q", narrow_name[] = "q";

static struct peaks measure_peaks(void) {
    double q = peak(q_chains, Q_CHAINS * 8.0);
    return (struct peaks){q, q};
}
#endif

// ---- The shapes --------------------------------------------------------------------------------------------

struct shape {
    const char *name;
    size_t m, n, k;
    int trans_a, trans_b, accumulate;
};

static const struct shape shapes[] = {
    {"fwd conv1", 1352, 32, 9, 0, 0, 1},    {"fwd conv2", 288, 64, 288, 0, 0, 1},
    {"fwd conv3", 32, 64, 576, 0, 0, 1},    {"fwd dense1", 8, 64, 256, 0, 0, 1},
    {"fwd dense2", 8, 10, 64, 0, 0, 1},     {"wgrad conv1", 9, 32, 1352, 1, 0, 0},
    {"wgrad conv2", 288, 64, 288, 1, 0, 0}, {"wgrad conv3", 576, 64, 32, 1, 0, 0},
    {"wgrad dense1", 256, 64, 8, 1, 0, 0},  {"wgrad dense2", 64, 10, 8, 1, 0, 0},
    {"igrad conv2", 288, 288, 64, 0, 1, 0}, {"igrad conv3", 32, 576, 64, 0, 1, 0},
    {"igrad dense1", 8, 256, 64, 0, 1, 0},  {"igrad dense2", 8, 64, 10, 0, 1, 0},
};
enum { SHAPES = sizeof shapes / sizeof shapes[0] };

struct buffers {
    float *a, *b, *c;
};

static float *random_floats(size_t count, size_t offset, uint64_t *state) {
    float *x = aligned_alloc(64, ((count + offset) * sizeof(float) + 63) / 64 * 64);
    if (!x) exit(2);
    x += offset;
    for (size_t i = 0; i < count; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((int64_t)(*state >> 40) - (1 << 23)) / (float)(1 << 23);  // in [-1, 1)
    }
    return x;
}

// ---- What is timed -----------------------------------------------------------------------------------------

enum { OPENBLAS = -1 };  ///< a "path" beside the distembed_isa values

static void multiply(int path, const struct shape *s, const struct buffers *x) {
    size_t lda = s->trans_a ? s->m : s->k, ldb = s->trans_b ? s->k : s->n;
#if defined(HAVE_OPENBLAS)
    if (path == OPENBLAS) {
        cblas_sgemm(CblasRowMajor, s->trans_a ? CblasTrans : CblasNoTrans, s->trans_b ? CblasTrans : CblasNoTrans,
                    (int)s->m, (int)s->n, (int)s->k, 1.0f, x->a, (int)lda, x->b, (int)ldb,
                    s->accumulate ? 1.0f : 0.0f, x->c, (int)s->n);
        return;
    }
#endif
    (void)path;
    distembed_gemm(s->m, s->n, s->k, x->a, s->trans_a, lda, x->b, s->trans_b, ldb, x->c, s->n, s->accumulate);
}

/// Seconds per call over a batch of `calls` calls.
static double time_batch(int path, const struct shape *s, const struct buffers *x, long calls) {
    if (path != OPENBLAS) distembed_isa_select(path);
    double t = now();
    for (long i = 0; i < calls; i++) multiply(path, s, x);
    return (now() - t) / (double)calls;
}

/// Calls enough for a batch of about a millisecond (after warming the caches up).
static long batch_calls(int path, const struct shape *s, const struct buffers *x) {
    time_batch(path, s, x, 3);
    double t = time_batch(path, s, x, 3);
    return (long)(1e-3 / t) + 1;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    size_t offset = argc > 2 ? (size_t)atoi(argv[2]) : 4;
#if defined(HAVE_OPENBLAS)
    openblas_set_num_threads(1);
#endif

    int paths[5], path_count = 0;
    static const int all[] = {DISTEMBED_ISA_SCALAR, DISTEMBED_ISA_AVX2, DISTEMBED_ISA_AVX512, DISTEMBED_ISA_NEON};
    for (int i = 0; i < 4; i++)
        if (distembed_isa_select(all[i]) == 0) paths[path_count++] = all[i];
#if defined(HAVE_OPENBLAS)
    paths[path_count++] = OPENBLAS;
#endif

    uint64_t state = 1;
    struct buffers x[SHAPES];
    for (int s = 0; s < SHAPES; s++) {
        x[s].a = random_floats(shapes[s].m * shapes[s].k, offset, &state);
        x[s].b = random_floats(shapes[s].k * shapes[s].n, offset, &state);
        x[s].c = random_floats(shapes[s].m * shapes[s].n, offset, &state);
    }
    double best[SHAPES][5];
    long calls[SHAPES][5];
    for (int s = 0; s < SHAPES; s++)
        for (int p = 0; p < path_count; p++) {
            best[s][p] = 1e30;
            calls[s][p] = batch_calls(paths[p], &shapes[s], &x[s]);
        }
    double peak_wide = 0, peak_narrow = 0;
    for (int round = 0; round < rounds; round++) {
        struct peaks now_peaks = measure_peaks();
        if (now_peaks.wide > peak_wide) peak_wide = now_peaks.wide;
        if (now_peaks.narrow > peak_narrow) peak_narrow = now_peaks.narrow;
        for (int s = 0; s < SHAPES; s++)
            for (int p = 0; p < path_count; p++) {
                double t = time_batch(paths[p], &shapes[s], &x[s], calls[s][p]);
                if (t < best[s][p]) best[s][p] = t;
            }
    }
    printf("fma peak of one core: %s %.1f GFLOP/s", wide_name, peak_wide);
    if (peak_narrow != peak_wide) printf(", %s %.1f GFLOP/s", narrow_name, peak_narrow);
    printf("\n");

    printf("GFLOP/s, best of %d rounds, operands %zu floats past a 64-byte boundary (%% of the %s peak for vector "
           "paths)\n", rounds, offset, wide_name);
    printf("%-13s %4s %4s %4s %2s", "shape", "m", "n", "k", "op");
    for (int p = 0; p < path_count; p++)
        printf(" %14s", paths[p] == OPENBLAS ? "openblas" : distembed_isa_name(paths[p]));
    printf("\n");
    double chunk[5] = {0};
    for (int s = 0; s < SHAPES; s++) {
        const struct shape *sh = &shapes[s];
        double flops = 2.0 * (double)(sh->m * sh->n * sh->k);
        printf("%-13s %4zu %4zu %4zu %s%s", sh->name, sh->m, sh->n, sh->k, sh->trans_a ? "T" : "N",
               sh->trans_b ? "T" : "N");
        for (int p = 0; p < path_count; p++) {
            double gflops = flops / best[s][p] / 1e9;
            if (paths[p] == DISTEMBED_ISA_SCALAR)
                printf(" %14.1f", gflops);
            else
                printf(" %7.1f (%3.0f%%)", gflops, 100 * gflops / peak_wide);
            chunk[p] += best[s][p];
        }
        printf("\n");
    }
    printf("%-27s", "chunk (µs per chunk)");
    for (int p = 0; p < path_count; p++) printf(" %14.1f", chunk[p] * 1e6);
    printf("\n");
    double total = 0;
    for (int s = 0; s < SHAPES; s++) total += 2.0 * (double)(shapes[s].m * shapes[s].n * shapes[s].k);
    printf("%-27s", "chunk GFLOP/s");
    for (int p = 0; p < path_count; p++) printf(" %14.1f", total / chunk[p] / 1e9);
    printf("\nchunk: %.1f MFLOP; at the %s peak it would take %.1f µs\n", total / 1e6, wide_name,
           total / peak_wide / 1e3);
    return 0;
}
