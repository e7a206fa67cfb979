#include "fp_rules.h"
#include "layer_kernels.h"

#include <stdint.h>
#include <string.h>


/// Whether kernel row `y` of the patch at column `x0` lies wholly inside the image (unsigned arithmetic: a pixel
/// above or left of the image wraps past `in_h` or `in_w`). Then its `kernel` pixels are one contiguous run.
static inline int row_inside(const struct distembed_layer *g, size_t y, size_t x0) {
    return y < g->in_h && x0 < g->in_w && x0 + g->kernel <= g->in_w;
}

/// Copies `count` floats. A patch row is often a few floats (3 for a 3-wide grayscale kernel), where a loop's set-up
/// costs more than the copy (conv1's patches took 20 µs of a 340 µs chunk): short runs are two fixed-size copies
/// that overlap in the middle, the way memcpy does it, and never touch a float outside the run.
static inline void copy_run(float *restrict dst, const float *restrict src, size_t count) {
    if (count >= 16) {
        size_t c = 0;
        for (; c + 8 <= count; c += 8) memcpy(dst + c, src + c, 8 * sizeof(float));
        if (c < count) memcpy(dst + count - 8, src + count - 8, 8 * sizeof(float));
    } else if (count >= 8) {
        memcpy(dst, src, 8 * sizeof(float));
        memcpy(dst + count - 8, src + count - 8, 8 * sizeof(float));
    } else if (count >= 4) {
        memcpy(dst, src, 4 * sizeof(float));
        memcpy(dst + count - 4, src + count - 4, 4 * sizeof(float));
    } else if (count >= 2) {
        memcpy(dst, src, 2 * sizeof(float));
        memcpy(dst + count - 2, src + count - 2, 2 * sizeof(float));
    } else if (count == 1) {
        dst[0] = src[0];
    }
}

/// `dst[c] += src[c]` for c < count, element by element (the two never overlap).
static inline void add_run(float *restrict dst, const float *restrict src, size_t count) {
    for (size_t c = 0; c < count; c++) dst[c] += src[c];
}

void distembed_im2col(const struct distembed_layer *g, size_t n, const float *input, float *cols) {
    const size_t run = g->in_c, row_run = g->kernel * run, patch = g->kernel * row_run;
    for (size_t s = 0; s < n; s++) {
        const float *image = input + s * g->in_h * g->in_w * run;
        for (size_t oy = 0; oy < g->out_h; oy++) {
            // Kernel row by kernel row across the output row: the loop that runs most copies one run and steps.
            float *const first = cols + (s * g->out_h + oy) * g->out_w * patch;
            for (size_t ky = 0; ky < g->kernel; ky++) {
                const size_t y = oy * g->stride + ky - g->pad_top;
                float *dst = first + ky * row_run;
                for (size_t ox = 0; ox < g->out_w; ox++, dst += patch) {
                    const size_t x0 = ox * g->stride - g->pad_left;
                    if (row_inside(g, y, x0)) {
                        copy_run(dst, image + (y * g->in_w + x0) * run, row_run);
                        continue;
                    }
                    for (size_t kx = 0; kx < g->kernel; kx++) {
                        const size_t x = x0 + kx;
                        if (y < g->in_h && x < g->in_w)
                            copy_run(dst + kx * run, image + (y * g->in_w + x) * run, run);
                        else
                            memset(dst + kx * run, 0, run * sizeof(float));
                    }
                }
            }
        }
    }
}

void distembed_col2im(
    const struct distembed_layer *g, size_t n, const float *cols_gradient, float *input_gradient) {
    const size_t run = g->in_c, row_run = g->kernel * run;
    memset(input_gradient, 0, n * g->in_h * g->in_w * run * sizeof(float));
    const float *src = cols_gradient;
    for (size_t s = 0; s < n; s++) {
        float *image = input_gradient + s * g->in_h * g->in_w * run;
        for (size_t oy = 0; oy < g->out_h; oy++) {
            for (size_t ox = 0; ox < g->out_w; ox++) {
                const size_t x0 = ox * g->stride - g->pad_left;
                for (size_t ky = 0; ky < g->kernel; ky++) {
                    const size_t y = oy * g->stride + ky - g->pad_top;
                    // A kernel row touches `kernel` different pixels, so adding it as one run keeps every pixel's
                    // order of contributions.
                    if (row_inside(g, y, x0)) {
                        add_run(image + (y * g->in_w + x0) * run, src, row_run);
                        src += row_run;
                        continue;
                    }
                    for (size_t kx = 0; kx < g->kernel; kx++) {
                        const size_t x = x0 + kx;
                        if (y < g->in_h && x < g->in_w) add_run(image + (y * g->in_w + x) * run, src, run);
                        src += run;
                    }
                }
            }
        }
    }
}

void distembed_multiply(const float *a, const float *b, float *out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = a[i] * b[i];
}

void distembed_relu_backward_bias_gradient(
    float *restrict gradient, const float *restrict output, int relu, size_t rows, size_t width,
    float *restrict bias_gradient) {
    if (rows == 0) memset(bias_gradient, 0, width * sizeof(float));
    for (size_t r = 0; r < rows; r++) {
        float *row = gradient + r * width;
        const float *out = output + r * width;
        // A store on every element, not only where it zeroes: a conditional store cannot be vectorised.
        if (relu)
            for (size_t j = 0; j < width; j++) row[j] = out[j] > 0.0f ? row[j] : 0.0f;
        if (r == 0)
            memcpy(bias_gradient, row, width * sizeof(float));
        else
            for (size_t j = 0; j < width; j++) bias_gradient[j] += row[j];
    }
}

void distembed_add_bias(float *restrict out, size_t rows, const float *restrict bias, size_t width, int relu) {
    for (size_t r = 0; r < rows; r++) {
        float *row = out + r * width;
        if (relu)
            for (size_t j = 0; j < width; j++) {
                const float z = row[j] + bias[j];
                row[j] = 0.0f >= z ? 0.0f : z;
            }
        else
            for (size_t j = 0; j < width; j++) row[j] += bias[j];
    }
}

void distembed_add(float *restrict a, const float *restrict b, size_t count) {
    for (size_t i = 0; i < count; i++) a[i] += b[i];
}

int distembed_all_finite(const float *x, size_t count) {
    // An exponent of all ones is an infinity or a NaN; OR-ing integers vectorises, unlike an early exit.
    uint32_t exponents = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        exponents |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    return exponents == 0;
}

uint64_t distembed_fnv1a64(uint64_t hash, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    for (size_t i = 0; i < count; i++) hash = (hash ^ p[i]) * 0x100000001b3ULL;
    return hash;
}
