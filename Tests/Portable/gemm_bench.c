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
// Build (x86-64, with OpenBLAS; add -mavx2 -mfma to match the SwiftPM build, leave out the OpenBLAS parts elsewhere):
//     cc -O3 -ffp-contract=off -fno-math-errno -ISources/CKernels/include -DHAVE_OPENBLAS
//        Sources/CKernels/gemm.c Sources/CKernels/isa.c Sources/CKernels/fma_peak.c Tests/Portable/gemm_bench.c -lopenblas -lm -o gemm_bench
// OpenBLAS picks its kernels from the CPU model: under a hypervisor that hides it, it may fall back to old SSE
// kernels; OPENBLAS_CORETYPE=SkylakeX (or Haswell) forces the fast ones.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/// The peaks of the widest and the narrowest vectors (the same when the core has one width).
struct peaks {
    double wide, narrow;
};

#if defined(__x86_64__)
static const char wide_name[] = "zmm", narrow_name[] = "ymm";
static struct peaks measure_peaks(void) {
    struct peaks p = {distembed_fma_peak(DISTEMBED_ISA_AVX512), distembed_fma_peak(DISTEMBED_ISA_AVX2)};
    if (p.wide == 0) p.wide = p.narrow;
    return p;
}
#elif defined(__aarch64__)
static const char wide_name[] = "q", narrow_name[] = "q";
static struct peaks measure_peaks(void) {
    double q = distembed_fma_peak(DISTEMBED_ISA_NEON);
    return (struct peaks){q, q};
}
#else
static const char wide_name[] = "scalar", narrow_name[] = "scalar";
static struct peaks measure_peaks(void) {
    double s = distembed_fma_peak(DISTEMBED_ISA_SCALAR);
    return (struct peaks){s, s};
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

    printf("GFLOP/s, best of %d rounds, operands %zu floats past a 64-byte boundary; in brackets, %% of the peak of "
           "the path's vectors (avx2: %s, others: %s)\n", rounds, offset, narrow_name, wide_name);
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
                printf(" %7.1f (%3.0f%%)", gflops,
                       100 * gflops / (paths[p] == DISTEMBED_ISA_AVX2 ? peak_narrow : peak_wide));
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
