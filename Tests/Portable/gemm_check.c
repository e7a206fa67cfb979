// Checks distembed_gemm and distembed_gemm_gathered bit for bit against a naive fmaf triple loop written here, on
// every path this CPU and build have (scalar, avx2, avx512, neon), and prints an FNV-1a 64-bit hash of the reference
// outputs, which must be the same on every machine and build for the same seed and case count.
//
//     gemm_check [seed] [cases]
//
// The cases are the model's own shapes followed by `cases` random ones (default 400), then `cases / 4` random
// gathered ones (A read through random row and column offset tables, as a convolution reads its patches; B not
// transposed): m, n, k from 0 up to 700,
// both transposes, accumulate 0 and 1, leading dimensions with random padding, operands at random (unaligned)
// offsets, inputs with zeros of both signs, subnormals, tiny and huge values and infinities (so some outputs
// overflow and some become NaN). The whole C buffer is compared, padding and guard elements included, so a path
// that writes outside the m × n elements fails. Last, two threads run cases at once on the best path (the kernels
// keep per-thread scratch). Exits 1 on any difference.
//
// On x86-64, a build for the baseline (-march=x86-64) calls glibc's fmaf; run it with
// GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4 and glibc computes fmaf in software (the `ns each` figure of the
// reference shows which): the hash must not change.
//
// The hash treats every NaN as one value: which NaN an operation produces depends on the CPU (x86 and ARM differ
// in the sign of the default NaN), and no path promises more. Within a run, NaNs are compared bit for bit too.
//
// verify-portable: cross-args 1 300
// verify-portable: native-args 2 5000
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distembed_kernels.h"

#if defined(__clang__)
#pragma clang fp contract(off)
#endif

enum { GUARD = 37 };  // extra floats after each operand, so that reading or writing past the end shows

// ---- Random inputs -----------------------------------------------------------------------------------------

static uint64_t next(uint64_t *state) {  // splitmix64
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t below(uint64_t *state, size_t n) { return (size_t)(next(state) % n); }

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/// A float with sign, exponent and mantissa built from integers (the same on every machine). One value in
/// `1 / special_rate` is special: ±0, a subnormal, a tiny normal, a huge value, ±1, or ±infinity.
static float random_value(uint64_t *state, unsigned special_rate) {
    uint64_t u = next(state);
    uint32_t sign = (uint32_t)(u >> 63) << 31, mantissa = (uint32_t)u & 0x7fffff;
    if (special_rate && (u >> 32) % special_rate == 0) {
        switch ((u >> 24) % 6) {
        case 0: return from_bits(sign);                                   // +0 or -0
        case 1: return from_bits(sign | mantissa);                        // subnormal (or zero)
        case 2: return from_bits(sign | (uint32_t)(1 + (u >> 40) % 20) << 23 | mantissa);    // tiny normal
        case 3: return from_bits(sign | (uint32_t)(232 + (u >> 40) % 23) << 23 | mantissa);  // 2^105 ... 2^127
        case 4: return from_bits(sign | 127u << 23);                      // ±1, exact products
        default: return from_bits(sign | 255u << 23);                     // ±infinity
        }
    }
    return from_bits(sign | (uint32_t)(120 + (u >> 40) % 14) << 23 | mantissa);  // 2^-7 ... 2^6
}

static float *random_buffer(uint64_t *state, size_t count, unsigned special_rate) {
    float *x = malloc((count + GUARD) * sizeof(float));
    if (!x) {
        fprintf(stderr, "gemm_check: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < count + GUARD; i++) x[i] = random_value(state, special_rate);
    return x;
}

// ---- Cases -------------------------------------------------------------------------------------------------

struct gemm_case {
    size_t m, n, k;
    int gathered;  ///< A(i, p) = a[row_offsets[i] + column_offsets[p]] (distembed_gemm_gathered); trans_a unused
    int trans_a, trans_b, accumulate;
    size_t lda, ldb, ldc;
    size_t a_offset, b_offset, c_offset;  ///< floats before the operand in its buffer: unaligned pointers
    unsigned special_rate;
    uint64_t seed;                        ///< of the operands' values
};

struct operands {
    float *a, *b, *c;  ///< buffers, offsets included
    size_t a_count, b_count, c_count;
    size_t *row_offsets, *column_offsets;  ///< a gathered case's tables (m and k entries), else NULL
};

/// 0, 1, small, medium, or large, with the small ones most common.
static size_t random_dimension(uint64_t *state) {
    size_t r = below(state, 100);
    if (r < 3) return 0;
    if (r < 10) return 1;
    if (r < 55) return 2 + below(state, 39);
    if (r < 88) return 41 + below(state, 160);
    return 201 + below(state, 500);
}

static size_t padding(uint64_t *state) {
    size_t r = below(state, 4);
    return r == 0 ? 0 : r == 1 ? 1 + below(state, 3) : r == 2 ? below(state, 17) : below(state, 70);
}

static struct gemm_case random_case(uint64_t *state) {
    struct gemm_case g;
    do {
        g.m = random_dimension(state);
        g.n = random_dimension(state);
        g.k = random_dimension(state);
    } while (g.m * g.n * g.k > 3000000);  // keeps the software-fmaf build's run short
    g.trans_a = (int)below(state, 2);
    g.trans_b = (int)below(state, 2);
    g.accumulate = (int)below(state, 2);
    g.lda = (g.trans_a ? g.m : g.k) + padding(state);
    g.ldb = (g.trans_b ? g.k : g.n) + padding(state);
    g.ldc = g.n + padding(state);
    g.a_offset = below(state, 16);
    g.b_offset = below(state, 16);
    g.c_offset = below(state, 16);
    static const unsigned rates[] = {0, 0, 3, 17, 200, 5000};
    g.special_rate = rates[below(state, sizeof rates / sizeof rates[0])];
    g.seed = next(state);
    return g;
}

/// A random case of distembed_gemm_gathered: the tables point anywhere into an A of up to `lda` floats (rows and
/// columns may share elements, as overlapping patches do).
static struct gemm_case random_gathered_case(uint64_t *state) {
    struct gemm_case g = random_case(state);
    g.gathered = 1;
    g.trans_a = g.trans_b = 0;
    g.lda = 1 + random_dimension(state);  // the span of each table's offsets
    g.ldb = g.n + padding(state);
    return g;
}

/// The model's products for one chunk of 8 samples (forward, weight gradients, input gradients).
static const size_t model_shapes[][5] = {
    // m, n, k, trans_a, trans_b (forward accumulates, the rest overwrite)
    {1352, 32, 9, 0, 0}, {288, 64, 288, 0, 0}, {32, 64, 576, 0, 0}, {8, 64, 256, 0, 0}, {8, 10, 64, 0, 0},
    {9, 32, 1352, 1, 0}, {288, 64, 288, 1, 0}, {576, 64, 32, 1, 0}, {256, 64, 8, 1, 0}, {64, 10, 8, 1, 0},
    {288, 288, 64, 0, 1}, {32, 576, 64, 0, 1}, {8, 256, 64, 0, 1},  {8, 64, 10, 0, 1},
};
enum { MODEL_CASES = sizeof model_shapes / sizeof model_shapes[0] };

static struct gemm_case model_case(size_t i, uint64_t *state) {
    const size_t *s = model_shapes[i];
    struct gemm_case g = {.m = s[0], .n = s[1], .k = s[2], .trans_a = (int)s[3], .trans_b = (int)s[4]};
    g.accumulate = !g.trans_a && !g.trans_b;
    g.lda = g.trans_a ? g.m : g.k;
    g.ldb = g.trans_b ? g.k : g.n;
    g.ldc = g.n;
    g.seed = next(state);
    return g;
}

/// Size of a row-major buffer of `rows` rows `ld` apart whose rows hold `width` elements.
static size_t extent(size_t rows, size_t width, size_t ld) { return rows == 0 ? 0 : (rows - 1) * ld + width; }

static size_t *random_offsets(uint64_t *state, size_t count, size_t span) {
    size_t *offsets = malloc((count ? count : 1) * sizeof(size_t));
    if (!offsets) exit(2);
    for (size_t i = 0; i < count; i++) offsets[i] = below(state, span);
    return offsets;
}

static struct operands make_operands(const struct gemm_case *g) {
    uint64_t state = g->seed;
    struct operands o = {0};
    if (g->gathered) {
        o.row_offsets = random_offsets(&state, g->m, g->lda);
        o.column_offsets = random_offsets(&state, g->k, g->lda);
        o.a_count = g->a_offset + 2 * g->lda;
    } else {
        o.a_count = g->a_offset + (g->trans_a ? extent(g->k, g->m, g->lda) : extent(g->m, g->k, g->lda));
    }
    o.b_count = g->b_offset + (g->trans_b ? extent(g->n, g->k, g->ldb) : extent(g->k, g->n, g->ldb));
    o.c_count = g->c_offset + extent(g->m, g->n, g->ldc);
    o.a = random_buffer(&state, o.a_count, g->special_rate);
    o.b = random_buffer(&state, o.b_count, g->special_rate);
    o.c = random_buffer(&state, o.c_count, g->special_rate);
    return o;
}

static void free_operands(struct operands *o) {
    free(o->row_offsets);
    free(o->column_offsets);
    free(o->a);
    free(o->b);
    free(o->c);
}

// ---- The reference and the comparison ----------------------------------------------------------------------

/// The definition: one fmaf chain per element, in the order of p.
static void reference_gemm(const struct gemm_case *g, const struct operands *o, const float *a, const float *b,
                           float *c) {
    for (size_t i = 0; i < g->m; i++)
        for (size_t j = 0; j < g->n; j++) {
            float acc = g->accumulate ? c[i * g->ldc + j] : 0.0f;
            for (size_t p = 0; p < g->k; p++) {
                float x = g->gathered ? a[o->row_offsets[i] + o->column_offsets[p]]
                          : g->trans_a ? a[p * g->lda + i]
                                       : a[i * g->lda + p];
                float y = g->trans_b ? b[j * g->ldb + p] : b[p * g->ldb + j];
                acc = fmaf(x, y, acc);
            }
            c[i * g->ldc + j] = acc;
        }
}

/// C after distembed_gemm on a fresh copy of the case's C buffer (guard included).
static float *run_gemm(const struct gemm_case *g, const struct operands *o) {
    size_t bytes = (o->c_count + GUARD) * sizeof(float);
    float *c = malloc(bytes);
    if (!c) exit(2);
    memcpy(c, o->c, bytes);
    if (g->gathered)
        distembed_gemm_gathered(g->m, g->n, g->k, o->a + g->a_offset, o->row_offsets, o->column_offsets,
                                o->b + g->b_offset, g->ldb, c + g->c_offset, g->ldc, g->accumulate);
    else
        distembed_gemm(g->m, g->n, g->k, o->a + g->a_offset, g->trans_a, g->lda, o->b + g->b_offset, g->trans_b,
                       g->ldb, c + g->c_offset, g->ldc, g->accumulate);
    return c;
}

static float *run_reference(const struct gemm_case *g, const struct operands *o) {
    size_t bytes = (o->c_count + GUARD) * sizeof(float);
    float *c = malloc(bytes);
    if (!c) exit(2);
    memcpy(c, o->c, bytes);
    reference_gemm(g, o, o->a + g->a_offset, o->b + g->b_offset, c + g->c_offset);
    return c;
}

static void describe(const struct gemm_case *g) {
    printf("m=%zu n=%zu k=%zu gathered=%d trans_a=%d trans_b=%d accumulate=%d lda=%zu ldb=%zu ldc=%zu "
           "offsets=%zu,%zu,%zu",
           g->m, g->n, g->k, g->gathered, g->trans_a, g->trans_b, g->accumulate, g->lda, g->ldb, g->ldc, g->a_offset,
           g->b_offset, g->c_offset);
}

/// Counts the floats of `got` whose bits differ from `want`, and prints the first.
static size_t compare(const char *path, const struct gemm_case *g, const float *want, const float *got, size_t count) {
    if (memcmp(want, got, count * sizeof(float)) == 0) return 0;
    size_t bad = 0, first = 0;
    for (size_t x = 0; x < count; x++)
        if (bits(want[x]) != bits(got[x]) && bad++ == 0) first = x;
    printf("  MISMATCH %s: ", path);
    describe(g);
    printf("\n    %zu floats differ; first at buffer index %zu", bad, first);
    if (first >= g->c_offset && g->ldc) printf(" (row %zu, column %zu)", (first - g->c_offset) / g->ldc,
                                                (first - g->c_offset) % g->ldc);
    printf(": want %a [0x%08x], got %a [0x%08x]\n", (double)want[first], bits(want[first]), (double)got[first],
           bits(got[first]));
    return bad;
}

/// FNV-1a 64 over the m × n outputs, each as four bytes least significant first, every NaN as 0x7fc00000.
static uint64_t hash_outputs(uint64_t h, const struct gemm_case *g, const float *c) {
    for (size_t i = 0; i < g->m; i++)
        for (size_t j = 0; j < g->n; j++) {
            float x = c[i * g->ldc + j];
            uint32_t u = isnan(x) ? 0x7fc00000u : bits(x);
            for (int byte = 0; byte < 4; byte++) h = (h ^ ((u >> (8 * byte)) & 0xff)) * 0x100000001b3ull;
        }
    return h;
}

/// How many outputs of each special kind the cases produced, to show the inputs reach them.
struct kinds {
    size_t nan, infinite, zero, subnormal;
};

static void count_kinds(struct kinds *k, const struct gemm_case *g, const float *c) {
    for (size_t i = 0; i < g->m; i++)
        for (size_t j = 0; j < g->n; j++) {
            float x = c[i * g->ldc + j];
            k->nan += isnan(x) != 0;
            k->infinite += isinf(x) != 0;
            k->zero += x == 0.0f;
            k->subnormal += fpclassify(x) == FP_SUBNORMAL;
        }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// ---- Two threads at once -----------------------------------------------------------------------------------

struct thread_work {
    const struct gemm_case *cases;
    size_t count;
    size_t first;  ///< this thread takes cases first, first + 2, ...
    size_t failures;
};

static void *thread_main(void *arg) {
    struct thread_work *w = arg;
    for (size_t i = w->first; i < w->count; i += 2) {
        struct operands o = make_operands(&w->cases[i]);
        float *want = run_reference(&w->cases[i], &o);
        for (int round = 0; round < 3; round++) {
            float *got = run_gemm(&w->cases[i], &o);
            if (memcmp(want, got, (o.c_count + GUARD) * sizeof(float)) != 0) w->failures++;
            free(got);
        }
        free(want);
        free_operands(&o);
    }
    return NULL;
}

/// Runs the cases on two threads at once, each several times; returns the number of wrong results.
static size_t check_threads(const struct gemm_case *cases, size_t count) {
    struct thread_work w[2] = {{cases, count, 0, 0}, {cases, count, 1, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, thread_main, &w[i]) != 0) {
            fprintf(stderr, "gemm_check: pthread_create failed\n");
            exit(2);
        }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    return w[0].failures + w[1].failures;
}

// ---- main --------------------------------------------------------------------------------------------------

int main(int argc, char **argv) {
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    size_t random_cases = argc > 2 ? strtoull(argv[2], NULL, 10) : 400;
    size_t gathered_cases = random_cases / 4, count = MODEL_CASES + random_cases + gathered_cases;

    static const int all_paths[] = {DISTEMBED_ISA_SCALAR, DISTEMBED_ISA_AVX2, DISTEMBED_ISA_AVX512, DISTEMBED_ISA_NEON};
    int paths[4], path_count = 0;
    int best = distembed_isa_best();
    for (int i = 0; i < 4; i++)
        if (distembed_isa_select(all_paths[i]) == 0) paths[path_count++] = all_paths[i];
    printf("gemm_check: seed %llu, %zu model shapes + %zu random cases + %zu gathered; best path %s; paths:",
           (unsigned long long)seed, (size_t)MODEL_CASES, random_cases, gathered_cases, distembed_isa_name(best));
    for (int i = 0; i < path_count; i++) printf(" %s", distembed_isa_name(paths[i]));
    printf("\n");

    struct gemm_case *cases = malloc(count * sizeof *cases);
    if (!cases) return 2;
    uint64_t state = seed;
    for (size_t i = 0; i < count; i++)
        cases[i] = i < MODEL_CASES                  ? model_case(i, &state)
                   : i < MODEL_CASES + random_cases ? random_case(&state)
                                                    : random_gathered_case(&state);

    size_t wrong[4] = {0}, wrong_cases[4] = {0}, outputs = 0;
    struct kinds kinds = {0};
    unsigned long long fmas = 0;
    double reference_time = 0;
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < count; i++) {
        const struct gemm_case *g = &cases[i];
        struct operands o = make_operands(g);
        double t0 = now();
        float *want = run_reference(g, &o);
        reference_time += now() - t0;
        fmas += (unsigned long long)g->m * g->n * g->k;
        outputs += g->m * g->n;
        count_kinds(&kinds, g, want + g->c_offset);
        hash = hash_outputs(hash, g, want + g->c_offset);
        for (int p = 0; p < path_count; p++) {
            distembed_isa_select(paths[p]);
            float *got = run_gemm(g, &o);
            size_t bad = compare(distembed_isa_name(paths[p]), g, want, got, o.c_count + GUARD);
            wrong[p] += bad;
            wrong_cases[p] += bad != 0;
            free(got);
        }
        free(want);
        free_operands(&o);
    }
    int ok = 1;
    for (int p = 0; p < path_count; p++) {
        printf("path %-6s: %zu cases, %zu outputs (+ padding and guards) compared bit for bit: %zu cases wrong, "
               "%zu floats differ\n",
               distembed_isa_name(paths[p]), count, outputs, wrong_cases[p], wrong[p]);
        ok &= wrong[p] == 0;
    }
    printf("reference: %llu fmaf calls, %.2f ns each; outputs: %zu NaN, %zu infinite, %zu zero, %zu subnormal\n",
           fmas, fmas ? 1e9 * reference_time / (double)fmas : 0.0, kinds.nan, kinds.infinite, kinds.zero,
           kinds.subnormal);

    distembed_isa_select(best);
    size_t thread_cases = count < 60 ? count : 60;
    size_t thread_failures = check_threads(cases, thread_cases);
    printf("threads: 2 threads × %zu cases × 3 rounds on %s at once: %zu wrong\n", thread_cases,
           distembed_isa_name(best), thread_failures);
    ok &= thread_failures == 0;

    printf("hash gemm seed=%llu cases=%zu %016llx\n", (unsigned long long)seed, random_cases,
           (unsigned long long)hash);
    printf("%s\n", ok ? "gemm_check: PASSED" : "gemm_check: FAILED");
    free(cases);
    return ok ? 0 : 1;
}
