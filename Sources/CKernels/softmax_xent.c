// Softmax with cross-entropy for one sample, in a fixed order of binary32 operations (see distembed_kernels.h):
// the same bits on every machine, as distembed_expf and distembed_logf are.

#include "fp_rules.h"  // first: no -ffast-math, no x87 excess precision, no contraction

#include "distembed_kernels.h"

float distembed_softmax_xent(float *logits, size_t classes, size_t label, size_t *argmax) {
    // The largest logit and the first index holding it: a strict `>` scan from index 0.
    float maximum = logits[0];
    size_t best = 0;
    for (size_t c = 1; c < classes; c++) {
        if (logits[c] > maximum) {
            maximum = logits[c];
            best = c;
        }
    }
    if (argmax) *argmax = best;

    // The label's shifted logit, kept before the logits are overwritten.
    float shifted = logits[label] - maximum;

    // e^(z - max) for each class in order, summed in order as floats.
    float sum = 0.0f;
    for (size_t c = 0; c < classes; c++) {
        float e = distembed_expf(logits[c] - maximum);
        logits[c] = e;
        sum += e;
    }

    // A true division for each class (not a multiplication by 1/sum, which rounds twice).
    for (size_t c = 0; c < classes; c++) logits[c] = logits[c] / sum;

    return distembed_logf(sum) - shifted;
}
