// Checks distembed_softmax_xent on fixed pseudo-random rows (many class counts, scales, ties, infinities) and
// prints an FNV-1a 64-bit hash of every output, for scripts/verify-portable.sh to compare across machines.
//
//     softmax_xent_check
//
// Each row is also run through the semantics of the Swift code the kernel replaced, written out here (the
// first index of the largest logit, a strict `>` scan; e^(z - max) in order; the sum in order; a true division;
// log(sum) - (z[label] - max)): the kernel must match it bit for bit. Against a double-precision softmax the
// errors must be small (informational figures, not hashed). NaN outputs hash as one canonical NaN: the sign of
// the NaN that inf - inf makes differs between x86-64 and aarch64, and no training row should hold one.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distembed_kernels.h"

#define MAX_CLASSES 4096

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
static uint64_t fnv_u32(uint64_t h, uint32_t v) {
    for (int b = 0; b < 4; b++) h = (h ^ ((v >> (8 * b)) & 0xff)) * FNV_PRIME;
    return h;
}
static uint64_t fnv_float(uint64_t h, float f) { return fnv_u32(h, isnan(f) ? 0x7fc00000u : f2u(f)); }

/// xorshift64*: the same stream everywhere.
static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t next_u64(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}
/// Uniform in [-1, 1), a float made by exact operations only.
static float next_unit(void) { return (float)((int32_t)(next_u64() >> 40) - (1 << 23)) * 0x1p-23f; }

/// The Swift code the kernel replaced.
static float swift_reference(float *logits, size_t classes, size_t label, size_t *argmax) {
    float maximum = logits[0];
    size_t best = 0;
    for (size_t c = 1; c < classes; c++)
        if (logits[c] > maximum) {
            maximum = logits[c];
            best = c;
        }
    *argmax = best;
    float shifted_logit = logits[label] - maximum;
    float sum = 0;
    for (size_t c = 0; c < classes; c++) {
        logits[c] = distembed_expf(logits[c] - maximum);
        sum += logits[c];
    }
    for (size_t c = 0; c < classes; c++) logits[c] /= sum;
    return distembed_logf(sum) - shifted_logit;
}

int main(void) {
    static float z[MAX_CLASSES], kernel[MAX_CLASSES], swift[MAX_CLASSES];
    static const size_t class_counts[] = {1, 2, 3, 7, 10, 16, 33, 100, 1000, 4096};
    static const float scales[] = {0.0f, 1e-3f, 1.0f, 8.0f, 60.0f, 1e4f};
    uint64_t h = FNV_OFFSET, rows = 0, mismatches = 0, inexact = 0;
    double max_prob_err = 0, max_loss_rel = 0;

    printf("isa: %s (softmax is scalar on every path)\n", distembed_isa_name(distembed_isa_active()));
    for (size_t ci = 0; ci < sizeof class_counts / sizeof class_counts[0]; ci++) {
        for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++) {
            for (int pattern = 0; pattern < 6; pattern++) {
                for (int rep = 0; rep < 4; rep++) {
                    size_t n = class_counts[ci];
                    float scale = scales[si];
                    for (size_t c = 0; c < n; c++) {
                        float u = next_unit();
                        switch (pattern) {
                        case 0: z[c] = scale * u; break;                          // uniform
                        case 1: z[c] = scale * (float)(int)(4.0f * u); break;     // few values: tied maxima
                        case 2: z[c] = scale * u - (c == n / 2 ? 0.0f : 30.0f); break;  // one dominant class
                        case 3: z[c] = scale * u * u * u + 1e6f; break;           // large offset
                        case 4: z[c] = (c % 5 == 1) ? -INFINITY : scale * u; break;      // some -inf logits
                        default: z[c] = (c == 0 && rep == 3) ? INFINITY : scale * u - 90.0f; break;  // +inf: NaNs
                        }
                    }
                    size_t label = (size_t)(next_u64() % n);
                    memcpy(kernel, z, n * sizeof *z);
                    memcpy(swift, z, n * sizeof *z);
                    size_t kernel_argmax = (size_t)-1, swift_argmax = (size_t)-1;
                    float kernel_loss = distembed_softmax_xent(kernel, n, label, &kernel_argmax);
                    float swift_loss = swift_reference(swift, n, label, &swift_argmax);
                    rows++;

                    int same = kernel_argmax == swift_argmax && f2u(kernel_loss) == f2u(swift_loss);
                    for (size_t c = 0; c < n; c++) same = same && f2u(kernel[c]) == f2u(swift[c]);
                    if (!same) {
                        mismatches++;
                        if (mismatches <= 5)
                            printf("  row %llu (%zu classes, pattern %d): the kernel differs from the Swift code\n",
                                   (unsigned long long)rows, n, pattern);
                    }

                    h = fnv_u32(h, (uint32_t)kernel_argmax);
                    h = fnv_float(h, kernel_loss);
                    for (size_t c = 0; c < n; c++) h = fnv_float(h, kernel[c]);

                    // Against softmax in double, for rows without infinities.
                    if (pattern == 4 || pattern == 5) continue;
                    double m = z[0], sum = 0;
                    for (size_t c = 1; c < n; c++) m = z[c] > m ? z[c] : m;
                    for (size_t c = 0; c < n; c++) sum += exp((double)z[c] - m);
                    for (size_t c = 0; c < n; c++) {
                        double err = fabs((double)kernel[c] - exp((double)z[c] - m) / sum);
                        if (err > max_prob_err) max_prob_err = err;
                    }
                    double loss = log(sum) - ((double)z[label] - m);
                    double rel = fabs((double)kernel_loss - loss) / fmax(fabs(loss), 1e-3);
                    if (rel > max_loss_rel) max_loss_rel = rel;
                    // float rounding of z - max, the sum of n terms and the division: generous bounds.
                    if (rel > 1e-4 || max_prob_err > 1e-5) inexact++;
                }
            }
        }
    }
    printf("softmax_xent_check: %llu rows, %llu differ from the Swift code, against double: max probability error "
           "%.3g, max loss error %.3g (relative, or absolute below 1e-3), %llu rows over the bounds\n",
           (unsigned long long)rows, (unsigned long long)mismatches, max_prob_err, max_loss_rel,
           (unsigned long long)inexact);
    printf("hash softmax_xent %016llx\n", (unsigned long long)h);
    int ok = mismatches == 0 && inexact == 0;
    printf("%s\n", ok ? "softmax_xent_check: PASSED" : "softmax_xent_check: FAILED");
    return ok ? 0 : 1;
}
