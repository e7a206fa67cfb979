// This core's measured peak of fused multiply-adds per vector width: what `distembed debug kernels` and
// Tests/Portable/gemm_bench.c rate the kernels against. Timing only: nothing here touches training's bits.
#include <math.h>
#include <time.h>

#include "distembed_kernels.h"

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

/// Where the peak kernels leave their result: a store the compiler may not move across the clock readings.
float distembed_peak_sink;

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

// Each kernel keeps more independent fma chains than the latency (4 cycles) times the ports (2) needs, and stops
// the compiler from seeing through the loop by storing its result.
enum { SCALAR_CHAINS = 8 };

__attribute__((noinline)) static void scalar_chains(long iterations) {
    float acc[SCALAR_CHAINS];
    for (int i = 0; i < SCALAR_CHAINS; i++) acc[i] = (float)i;
    for (long n = 0; n < iterations; n++)
        for (int i = 0; i < SCALAR_CHAINS; i++) acc[i] = fmaf(acc[i], 0.999f, 1e-7f);
    for (int i = 1; i < SCALAR_CHAINS; i++) acc[0] += acc[i];
    distembed_peak_sink = acc[0];
}

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
    distembed_peak_sink = _mm512_reduce_add_ps(acc[0]);
}

__attribute__((target("avx2,fma"), noinline)) static void ymm_chains(long iterations) {
    __m256 acc[YMM_CHAINS], x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < YMM_CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < YMM_CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    }
    for (int i = 1; i < YMM_CHAINS; i++) acc[0] = _mm256_add_ps(acc[0], acc[i]);
    distembed_peak_sink = _mm256_cvtss_f32(acc[0]);
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
    distembed_peak_sink = vgetq_lane_f32(acc[0], 0);
}
#endif

double distembed_fma_peak(int isa) {
    const int restore = distembed_isa_active();
    if (distembed_isa_select(isa) != 0) return 0;
    distembed_isa_select(restore);
    switch (isa) {
#if defined(__x86_64__)
    case DISTEMBED_ISA_AVX512: return peak(zmm_chains, ZMM_CHAINS * 32.0);
    case DISTEMBED_ISA_AVX2: return peak(ymm_chains, YMM_CHAINS * 16.0);
#elif defined(__aarch64__)
    case DISTEMBED_ISA_NEON: return peak(q_chains, Q_CHAINS * 8.0);
#endif
    default: return peak(scalar_chains, SCALAR_CHAINS * 2.0);
    }
}
