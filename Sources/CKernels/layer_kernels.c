#include "fp_rules.h"
#include "layer_kernels.h"

#include <stdint.h>
#include <string.h>


/// Whether kernel row `y` of the patch at column `x0` lies wholly inside the image (unsigned arithmetic: a pixel
/// above or left of the image wraps past `in_h` or `in_w`). Then its `kernel` pixels are one contiguous run.
static inline int row_inside(const struct distembed_layer *g, size_t y, size_t x0) {
    return y < g->in_h && x0 < g->in_w && x0 + g->kernel <= g->in_w;
}

void distembed_im2col(const struct distembed_layer *g, size_t n, const float *input, float *cols) {
    const size_t run = g->in_c, row_run = g->kernel * run;
    float *dst = cols;
    for (size_t s = 0; s < n; s++) {
        const float *image = input + s * g->in_h * g->in_w * run;
        for (size_t oy = 0; oy < g->out_h; oy++) {
            for (size_t ox = 0; ox < g->out_w; ox++) {
                const size_t x0 = ox * g->stride - g->pad_left;
                for (size_t ky = 0; ky < g->kernel; ky++) {
                    const size_t y = oy * g->stride + ky - g->pad_top;
                    // Plain loops, not memcpy: a run is often a few floats (3, for a 3-wide grayscale row).
                    if (row_inside(g, y, x0)) {
                        const float *src = image + (y * g->in_w + x0) * run;
                        for (size_t c = 0; c < row_run; c++) dst[c] = src[c];
                        dst += row_run;
                        continue;
                    }
                    for (size_t kx = 0; kx < g->kernel; kx++) {
                        const size_t x = x0 + kx;
                        if (y < g->in_h && x < g->in_w) {
                            const float *src = image + (y * g->in_w + x) * run;
                            for (size_t c = 0; c < run; c++) dst[c] = src[c];
                        } else {
                            for (size_t c = 0; c < run; c++) dst[c] = 0.0f;
                        }
                        dst += run;
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
                        float *dst = image + (y * g->in_w + x0) * run;
                        for (size_t c = 0; c < row_run; c++) dst[c] += src[c];
                        src += row_run;
                        continue;
                    }
                    for (size_t kx = 0; kx < g->kernel; kx++) {
                        const size_t x = x0 + kx;
                        if (y < g->in_h && x < g->in_w) {
                            float *dst = image + (y * g->in_w + x) * run;
                            for (size_t c = 0; c < run; c++) dst[c] += src[c];
                        }
                        src += run;
                    }
                }
            }
        }
    }
}

void distembed_relu(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = 0.0f >= x[i] ? 0.0f : x[i];
}

void distembed_relu_backward(float *restrict gradient, const float *restrict output, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (!(output[i] > 0.0f)) gradient[i] = 0.0f;
}

void distembed_multiply(const float *a, const float *b, float *out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = a[i] * b[i];
}

void distembed_column_sums(const float *restrict x, size_t rows, size_t width, float *restrict out) {
    if (rows == 0) {
        memset(out, 0, width * sizeof(float));
        return;
    }
    memcpy(out, x, width * sizeof(float));
    for (size_t r = 1; r < rows; r++) {
        const float *row = x + r * width;
        for (size_t j = 0; j < width; j++) out[j] += row[j];
    }
}

void distembed_add_bias(float *restrict out, size_t rows, const float *restrict bias, size_t width) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < width; j++) out[r * width + j] += bias[j];
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
