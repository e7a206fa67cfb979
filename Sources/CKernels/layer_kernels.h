// The small loops around the matrix products, each one fixed sequence of IEEE operations (plain adds, multiplies
// and comparisons, no fused multiply-adds): the compiler may vectorise them across elements, which changes
// nothing, since no loop here sums along a vector.
#ifndef DISTEMBED_LAYER_KERNELS_H
#define DISTEMBED_LAYER_KERNELS_H

#include <stddef.h>

#include "distembed_net.h"

/// Lays each output pixel's receptive field out as one row of `cols` (`n · out_h · out_w` rows ×
/// `kernel · kernel · in_c` columns) from NHWC `input`; padding reads as zero.
void distembed_im2col(const struct distembed_layer *g, size_t n, const float *input, float *cols);

/// Sets `input_gradient` (NHWC) to the sum of the rows of `cols_gradient` over each input pixel, in the order
/// sample, output row, output column, kernel row, kernel column, channel.
void distembed_col2im(
    const struct distembed_layer *g, size_t n, const float *cols_gradient, float *input_gradient);

/// `out[i] = a[i] · b[i]`.
void distembed_multiply(const float *a, const float *b, float *out, size_t count);

/// With `relu` 1, zeroes the gradient where the ReLU's output was not positive; then sets the bias gradient to the
/// column sums of the `rows × width` gradient, `out[j] = g[0][j] + g[1][j] + ...` added top to bottom. One pass.
void distembed_relu_backward_bias_gradient(
    float *restrict gradient, const float *restrict output, int relu, size_t rows, size_t width,
    float *restrict bias_gradient);

/// `out[r][j] += bias[j]`: the bias goes on after the product, as Keras and PyTorch add it; with `relu` 1, then
/// `max(·, 0)` (`0 >= z ? 0 : z`, so a NaN stays NaN), in the same pass over the rows.
void distembed_add_bias(float *restrict out, size_t rows, const float *restrict bias, size_t width, int relu);

#endif
