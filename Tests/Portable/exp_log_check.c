// Checks distembed_expf and distembed_logf over every binary32 input (or every `stride`-th bit pattern), and
// prints an FNV-1a 64-bit hash of all their outputs, for scripts/verify-portable.sh to compare across machines.
//
//     exp_log_check [stride] [--bench]
//
// stride (default 1: all 2^32 bit patterns) takes the bit patterns 0, stride, 2*stride, ... < 2^32. Each output
// is compared with libm's double exp or log rounded to float; where that double lies too near a float midpoint
// to say which way the exact value rounds, expl or logl decides (when long double is wider than double).
// Fails (exit 1) if any error is 1 ulp or more, or any special case (NaN, infinities, zeros, overflow,
// underflow, negative logs) is wrong. The count of results that are not correctly rounded is reported.
// --bench also times both functions against glibc's expf and logf (informational).
//
// The `hash` lines depend only on the outputs; they must be identical on every machine and build.
//
// verify-portable: cross-args 97
// verify-portable: native-args 1
#define _POSIX_C_SOURCE 200809L  // clock_gettime

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distembed_kernels.h"

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

// FNV-1a 64 over the output's four bytes, least significant first (the same on every byte order).
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
static inline uint64_t fnv_u32(uint64_t h, uint32_t v) {
    h = (h ^ (v & 0xff)) * FNV_PRIME;
    h = (h ^ ((v >> 8) & 0xff)) * FNV_PRIME;
    h = (h ^ ((v >> 16) & 0xff)) * FNV_PRIME;
    h = (h ^ (v >> 24)) * FNV_PRIME;
    return h;
}

struct stats {
    const char *name;
    uint64_t inputs;     // bit patterns visited
    uint64_t compared;   // finite results compared with the reference
    uint64_t not_cr;     // of those, not the correctly rounded float
    uint64_t near_mid;   // reference too near a midpoint for double: long double decided
    uint64_t unsettled;  // not even long double could decide (counted as correct when within 1 ulp)
    uint64_t bad;        // errors of 1 ulp or more, or wrong special cases
    double max_ulp;
    float worst_x;
    uint64_t hash;
};

/// One float ulp at the magnitude of `v` (the subnormal spacing below 2^-126).
static double ulp_at(double v) {
    double a = fabs(v);
    if (a < 0x1p-126) return 0x1p-149;
    if (a >= 0x1p128) return 0x1p104;
    int e;
    frexp(a, &e);  // a = m 2^e, 0.5 <= m < 1
    return ldexp(1.0, e - 24);
}

static void report_bad(struct stats *st, float x, float got, const char *why) {
    st->bad++;
    if (st->bad <= 10)
        printf("  %s(%a) [0x%08x] = %a [0x%08x]: %s\n", st->name, (double)x, f2u(x), (double)got, f2u(got), why);
}

/// Compares `got` = f(x) with `ref`, libm's double f(x) (within 2^-52 of the exact value).
static void compare(struct stats *st, float x, float got, double ref, long double (*fl)(long double)) {
    st->compared++;
    float cr = (float)ref;
    double w = fabs(ref) * 0x1p-50;
    int settled = 1;
    if ((float)(ref - w) != (float)(ref + w)) {
        // The exact value may lie on either side of a float midpoint: ask the long double function.
        st->near_mid++;
        settled = 0;
#if LDBL_MANT_DIG > DBL_MANT_DIG
        long double l = fl((long double)x);
        long double wl = fabsl(l) * ldexpl(1.0L, 4 - LDBL_MANT_DIG);
        float a = (float)(l - wl), b = (float)(l + wl);
        if (a == b) {
            cr = a;
            settled = 1;
        }
#else
        (void)fl;
#endif
        if (!settled) {
            st->unsettled++;
            if (st->unsettled <= 5)
                printf("  %s(%a) [0x%08x]: reference too near a midpoint to settle\n", st->name, (double)x, f2u(x));
        }
    }
    if (settled && f2u(got) != f2u(cr)) st->not_cr++;

    double err;
    if (isinf(got) || isinf(cr)) err = (got == cr) ? 0.0 : INFINITY;
    else err = fabs((double)got - ref) / ulp_at(ref);
    if (err > st->max_ulp) {
        st->max_ulp = err;
        st->worst_x = x;
    }
    if (err >= 1.0) report_bad(st, x, got, "error of 1 ulp or more");
}

/// `got` must have exactly the bits `want`.
static void expect_bits(struct stats *st, float x, float got, uint32_t want) {
    if (f2u(got) != want) {
        char why[64];
        snprintf(why, sizeof why, "want the bits 0x%08x", want);
        report_bad(st, x, got, why);
    }
}

static long double expl_ref(long double x) { return expl(x); }
static long double logl_ref(long double x) { return logl(x); }

static void run_exp(struct stats *st, uint64_t stride) {
    uint64_t h = FNV_OFFSET;
    for (uint64_t i = 0; i < (1ull << 32); i += stride) {
        uint32_t u = (uint32_t)i;
        float x = u2f(u);
        float y = distembed_expf(x);
        h = fnv_u32(h, f2u(y));
        st->inputs++;
        uint32_t ax = u & 0x7fffffffu;
        if (ax > 0x7f800000u) expect_bits(st, x, y, u | 0x00400000u);     // NaN: the same NaN, quiet
        else if (x >= 89.0f) expect_bits(st, x, y, 0x7f800000u);           // +inf
        else if (x <= -104.0f) expect_bits(st, x, y, 0x00000000u);         // +0
        else if (ax <= 0x33000000u) expect_bits(st, x, y, 0x3f800000u);    // |x| <= 2^-25: e^x rounds to 1
        else compare(st, x, y, exp((double)x), expl_ref);
    }
    st->hash = h;
}

static void run_log(struct stats *st, uint64_t stride) {
    uint64_t h = FNV_OFFSET;
    for (uint64_t i = 0; i < (1ull << 32); i += stride) {
        uint32_t u = (uint32_t)i;
        float x = u2f(u);
        float y = distembed_logf(x);
        h = fnv_u32(h, f2u(y));
        st->inputs++;
        uint32_t ax = u & 0x7fffffffu;
        if (ax > 0x7f800000u) expect_bits(st, x, y, u | 0x00400000u);     // NaN: the same NaN, quiet
        else if (ax == 0) expect_bits(st, x, y, 0xff800000u);              // -inf
        else if (u >> 31) expect_bits(st, x, y, 0x7fc00000u);              // x < 0: the default NaN
        else if (u == 0x7f800000u) expect_bits(st, x, y, 0x7f800000u);     // +inf
        else compare(st, x, y, log((double)x), logl_ref);
    }
    st->hash = h;
}

/// Fixed cases, whatever the stride.
static uint64_t special_cases(void) {
    static const struct { int log; uint32_t x, want; } cases[] = {
        {0, 0x00000000u, 0x3f800000u}, {0, 0x80000000u, 0x3f800000u},  // e^+-0 = 1
        {0, 0x00000001u, 0x3f800000u}, {0, 0x80000001u, 0x3f800000u},  // e^+-2^-149 = 1
        {0, 0x33000000u, 0x3f800000u}, {0, 0xb3000000u, 0x3f800000u},  // e^+-2^-25 = 1
        {0, 0x33800000u, 0x3f800001u},                                 // e^2^-24: just above the midpoint
        {0, 0x3f800000u, 0x402df854u},                                 // e^1
        {0, 0x42b17217u, 0x7f7fff84u},                                 // the largest finite result
        {0, 0x42b17218u, 0x7f800000u},                                 // overflow
        {0, 0x7f7fffffu, 0x7f800000u}, {0, 0x7f800000u, 0x7f800000u},  // e^FLT_MAX, e^inf
        {0, 0xff7fffffu, 0x00000000u}, {0, 0xff800000u, 0x00000000u},  // e^-FLT_MAX, e^-inf = +0
        {0, 0xc2aeac4fu, 0x00800026u}, {0, 0xc2aeac50u, 0x007fffe6u},  // across 2^-126 into the subnormals
        {0, 0xc2cff1b4u, 0x00000001u}, {0, 0xc2cff1b5u, 0x00000000u},  // the last subnormal, then 0
        {0, 0x7fc00000u, 0x7fc00000u}, {0, 0xffc00001u, 0xffc00001u},  // quiet NaNs pass through
        {0, 0x7f800001u, 0x7fc00001u},                                 // a signalling NaN comes out quiet
        {1, 0x3f800000u, 0x00000000u},                                 // log 1 = +0
        {1, 0x00000000u, 0xff800000u}, {1, 0x80000000u, 0xff800000u},  // log +-0 = -inf
        {1, 0x7f800000u, 0x7f800000u},                                 // log inf = inf
        {1, 0xff800000u, 0x7fc00000u}, {1, 0xbf800000u, 0x7fc00000u},  // log of -inf, -1: NaN
        {1, 0x80000001u, 0x7fc00000u},                                 // log of -2^-149: NaN
        {1, 0x7fc00000u, 0x7fc00000u}, {1, 0xff800001u, 0xffc00001u},  // NaNs: the same NaN, quiet
        {1, 0x40000000u, 0x3f317218u},                                 // log 2
        {1, 0x402df854u, 0x3f7fffffu},                                 // log of e's float, just below e
        {1, 0x7f7fffffu, 0x42b17218u},                                 // log FLT_MAX
        {1, 0x00000001u, 0xc2ce8ed0u},                                 // log 2^-149
        {1, 0x00800000u, 0xc2aeac50u},                                 // log 2^-126
        {1, 0x3f7fffffu, 0xb3800000u},                                 // log(1 - 2^-24) = -2^-24 (1 + 2^-25)
        {1, 0x3f800001u, 0x33ffffffu},                                 // log(1 + 2^-23) = 2^-23 (1 - 2^-24)
    };
    uint64_t bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float x = u2f(cases[i].x);
        float y = cases[i].log ? distembed_logf(x) : distembed_expf(x);
        if (f2u(y) != cases[i].want) {
            bad++;
            printf("  special case: %s(%a) [0x%08x] = %a [0x%08x], want [0x%08x]\n", cases[i].log ? "logf" : "expf",
                   (double)x, cases[i].x, (double)y, f2u(y), cases[i].want);
        }
    }
    printf("special cases: %zu checked, %llu wrong\n", sizeof cases / sizeof cases[0], (unsigned long long)bad);
    return bad;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile float bench_sink;

/// ns per call of f over xs (throughput: the calls are independent), best of 5.
static double bench(float (*f)(float), const float *xs, size_t n) {
    double best = INFINITY;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        float acc = 0.0f;
        for (size_t i = 0; i < n; i++) acc += f(xs[i]);
        double t = now() - t0;
        bench_sink = acc;
        if (t < best) best = t;
    }
    return best / (double)n * 1e9;
}

static float glibc_expf(float x) { return expf(x); }
static float glibc_logf(float x) { return logf(x); }

static void run_bench(void) {
    enum { N = 1 << 20 };
    float *xs = malloc(N * sizeof *xs), *ys = malloc(N * sizeof *ys);
    if (!xs || !ys) return;
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) * 0x1p-53;
        xs[i] = (float)(-30.0 + 40.0 * u);                   // softmax's range: x <= 0 mostly
        ys[i] = (float)exp(-20.0 + 60.0 * (double)((s >> 7) & 0xffffff) * 0x1p-24);  // log over e^-20..e^40
    }
    printf("bench expf: distembed %.2f ns/call, glibc %.2f ns/call\n", bench(distembed_expf, xs, N),
           bench(glibc_expf, xs, N));
    printf("bench logf: distembed %.2f ns/call, glibc %.2f ns/call\n", bench(distembed_logf, ys, N),
           bench(glibc_logf, ys, N));
    free(xs);
    free(ys);
}

static void print_stats(const struct stats *st) {
    printf("%s: %llu inputs, %llu compared with libm: max error %.9f ulp (at %a [0x%08x]), %llu not correctly "
           "rounded, %llu near a midpoint (settled by long double: %llu), %llu bad\n",
           st->name, (unsigned long long)st->inputs, (unsigned long long)st->compared, st->max_ulp,
           (double)st->worst_x, f2u(st->worst_x), (unsigned long long)st->not_cr, (unsigned long long)st->near_mid,
           (unsigned long long)(st->near_mid - st->unsettled), (unsigned long long)st->bad);
}

int main(int argc, char **argv) {
    uint64_t stride = 1;
    int do_bench = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bench") == 0) {
            do_bench = 1;
        } else {
            char *end;
            unsigned long long v = strtoull(argv[i], &end, 10);
            if (*end || v == 0 || v > (1ull << 32)) {
                fprintf(stderr, "usage: %s [stride >= 1] [--bench]\n", argv[0]);
                return 2;
            }
            stride = v;
        }
    }
    printf("isa: %s (exp and log are scalar on every path)\n", distembed_isa_name(distembed_isa_active()));
    printf("exp_log_check: stride %llu%s\n", (unsigned long long)stride,
           stride == 1 ? " (every binary32 bit pattern)" : "");

    double t0 = now();
    struct stats e = {.name = "expf"}, l = {.name = "logf"};
    run_exp(&e, stride);
    print_stats(&e);
    run_log(&l, stride);
    print_stats(&l);
    uint64_t special_bad = special_cases();
    printf("time: %.1f s\n", now() - t0);
    if (do_bench) run_bench();

    printf("hash expf stride=%llu %016llx\n", (unsigned long long)stride, (unsigned long long)e.hash);
    printf("hash logf stride=%llu %016llx\n", (unsigned long long)stride, (unsigned long long)l.hash);
    int ok = e.bad == 0 && l.bad == 0 && special_bad == 0;
    printf("%s\n", ok ? "exp_log_check: PASSED" : "exp_log_check: FAILED");
    return ok ? 0 : 1;
}
