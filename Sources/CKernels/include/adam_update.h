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

/// Adam's step size after `step` (>= 1) updates, `lr · sqrt(1 − beta2^step) / (1 − beta1^step)`, in float. The
/// powers are ours (binary powering in double, then one rounding to float), not libm's `powf`, whose bits differ
/// between CPUs with and without FMA.
float distembed_adam_alpha(float learning_rate, float beta1, float beta2, unsigned long long step);

#endif
