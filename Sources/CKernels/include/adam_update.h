// Element-wise kernels in C where Swift's code generation falls short: Swift turns the square root of a SIMD
// vector into one scalar square root per lane (with a call to sqrtf for the negative case), while clang emits a
// single vector instruction.
#ifndef DISTEMBED_ADAM_UPDATE_H
#define DISTEMBED_ADAM_UPDATE_H

#include <stddef.h>

/// Adam's element-wise update of `count` parameters, with the gradient formed inside the pass:
///
///     g = (sum[i] + plus[i]) * scale       when `divide` is 0 (plus omitted when NULL)
///     g = (sum[i] + plus[i]) / batch_size  when `divide` is 1
///     m[i] += (g - m[i]) * one_minus_beta1
///     v[i] += (g * g - v[i]) * one_minus_beta2
///     w[i] -= alpha * m[i] / (sqrt(v[i]) + epsilon)
///
/// Every operation is rounded on its own, in this order (no fused multiply-add), so the bits are those of the
/// plain scalar loop on any instruction set.
void distembed_adam_update(
    float *restrict w, float *restrict m, float *restrict v, const float *restrict sum,
    const float *restrict plus, size_t count, float alpha, float one_minus_beta1, float one_minus_beta2,
    float epsilon, float batch_size, int divide, float scale);

#endif
