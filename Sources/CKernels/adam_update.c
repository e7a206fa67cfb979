#include "fp_rules.h"
#include "adam_update.h"

#include <math.h>

/// The loop for one choice of the two branches; inlined four times so each copy vectorizes without them.
static inline __attribute__((always_inline)) void update(
    float *restrict w, float *restrict m, float *restrict v, const float *restrict sum,
    const float *restrict plus, size_t count, float alpha, float one_minus_beta1, float one_minus_beta2,
    float epsilon, float batch_size, int divide, float scale) {
    for (size_t i = 0; i < count; i++) {
        float g = sum[i];
        if (plus) g += plus[i];
        g = divide ? g / batch_size : g * scale;
        float mi = m[i] + (g - m[i]) * one_minus_beta1;
        float vi = v[i] + (g * g - v[i]) * one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - alpha * mi / (sqrtf(vi) + epsilon);
    }
}

void distembed_adam_update(
    float *restrict w, float *restrict m, float *restrict v, const float *restrict sum,
    const float *restrict plus, size_t count, float alpha, float one_minus_beta1, float one_minus_beta2,
    float epsilon, float batch_size, int divide, float scale) {
    if (plus && divide)
        update(w, m, v, sum, plus, count, alpha, one_minus_beta1, one_minus_beta2, epsilon, batch_size, 1, scale);
    else if (plus)
        update(w, m, v, sum, plus, count, alpha, one_minus_beta1, one_minus_beta2, epsilon, batch_size, 0, scale);
    else if (divide)
        update(w, m, v, sum, NULL, count, alpha, one_minus_beta1, one_minus_beta2, epsilon, batch_size, 1, scale);
    else
        update(w, m, v, sum, NULL, count, alpha, one_minus_beta1, one_minus_beta2, epsilon, batch_size, 0, scale);
}

/// `base^n` by binary powering: a fixed sequence of double multiplications, rounded once to float.
static float power(float base, unsigned long long n) {
    double result = 1.0, square = base;
    for (; n; n >>= 1) {
        if (n & 1) result *= square;
        square *= square;
    }
    return (float)result;
}

float distembed_adam_alpha(float learning_rate, float beta1, float beta2, unsigned long long step) {
    return learning_rate * sqrtf(1.0f - power(beta2, step)) / (1.0f - power(beta1, step));
}
