// A model's forward and backward passes over a chunk of samples, in C so that the same source runs, and can be
// proven to give the same bits, on every CPU (the rules are in distembed_kernels.h). Swift describes the layers
// and fills the input and the dropout masks; everything with floating-point arithmetic happens here.
#ifndef DISTEMBED_NET_H
#define DISTEMBED_NET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum distembed_layer_kind {
    DISTEMBED_LAYER_CONV = 0,     ///< 2-D convolution, NHWC, Keras's kernel layout [kh, kw, cin, cout]
    DISTEMBED_LAYER_DENSE = 1,    ///< kernel [inputs, units]
    DISTEMBED_LAYER_FLATTEN = 2,  ///< no arithmetic: its output shares its input's memory
    DISTEMBED_LAYER_DROPOUT = 3,  ///< multiplies by a mask the caller fills (0 or the keep scale)
};

/// One layer. Sizes count floats per sample.
struct distembed_layer {
    int kind;
    int relu;                    ///< 1: a ReLU follows (conv and dense)
    size_t in_h, in_w, in_c;     ///< conv only
    size_t out_h, out_w, out_c;  ///< conv only
    size_t kernel, stride, pad_top, pad_left;  ///< conv only
    size_t inputs, units;        ///< input and output floats per sample, for every kind
    size_t kernel_offset, bias_offset;         ///< into the flat parameters (conv and dense)
};

/// The layers and every buffer their passes need for up to `capacity` samples, allocated once.
struct distembed_net;

/// A net of `layer_count` layers over inputs of `input_size` floats; NULL when memory runs out or a layer does
/// not follow from the one before (a layer's `inputs` must be the previous layer's `units`).
struct distembed_net *distembed_net_create(
    const struct distembed_layer *layers, size_t layer_count, size_t input_size, size_t capacity);
void distembed_net_destroy(struct distembed_net *net);

/// Layer `index - 1`'s output, `capacity × units` floats; index 0 is the input the caller fills.
float *distembed_net_activation(struct distembed_net *net, size_t index);
/// The loss gradient with respect to `distembed_net_activation(net, index)`.
float *distembed_net_gradient(struct distembed_net *net, size_t index);
/// Layer `layer`'s dropout mask (`capacity × units`), or NULL for other kinds.
float *distembed_net_mask(struct distembed_net *net, size_t layer);

/// Runs layers `first ..< end` on `count` samples. With `training` 0, dropout passes its input through;
/// otherwise it multiplies by the mask.
void distembed_net_forward(
    struct distembed_net *net, const float *weights, size_t count, size_t first, size_t end, int training);

/// Softmax with cross-entropy on the last layer's output, row by row: the output becomes probabilities,
/// `losses[r]` the row's loss and `predicted[r]` its first largest logit. With `set_gradient` 1, the gradient at
/// the logits becomes `p - onehot(labels[r])`.
void distembed_net_softmax_xent(
    struct distembed_net *net, size_t count, const uint32_t *labels, float *losses, uint32_t *predicted,
    int set_gradient);

/// Backpropagates from the gradient at layer `last`'s output down to layer 0, writing (not adding) the
/// parameters' gradients of layers `0...last` into `gradient`; input gradients are formed only above the first
/// layer with parameters.
void distembed_net_backward(
    struct distembed_net *net, const float *weights, size_t count, size_t last, float *gradient);

/// Layer `layer`'s share of the backward pass that its parameters need, from the gradient at its output: the ReLU
/// applied to that gradient, and the layer's parameter gradients written into `layer_gradient`, which holds the
/// layer's parameters alone in their order (its kernel's at `kernel_offset`, its bias's at `bias_offset`, less
/// `kernel_offset`). A layer without parameters has nothing to do here. `distembed_net_backward` is this and
/// `distembed_net_backward_input`, layer by layer from the top; calling them in that order for each layer of a
/// chunk gives its bits, whatever runs in between.
void distembed_net_backward_parameters(struct distembed_net *net, size_t count, size_t layer, float *layer_gradient);

/// Layer `layer`'s input gradient (the gradient at layer `layer - 1`'s output), after
/// `distembed_net_backward_parameters` of the same layer; nothing when no layer below it has parameters.
void distembed_net_backward_input(struct distembed_net *net, const float *weights, size_t count, size_t layer);

/// `a[i] += b[i]`: one node of the chunk tree.
void distembed_add(float *restrict a, const float *restrict b, size_t count);

/// 1 when every one of `count` floats is finite (neither infinite nor NaN), else 0.
int distembed_all_finite(const float *x, size_t count);

/// FNV-1a, 64 bits, over `count` bytes, continuing from `hash` (start with 0xcbf29ce484222325): how the
/// cross-machine proof compares a chunk's results between builds without shipping them.
uint64_t distembed_fnv1a64(uint64_t hash, const void *bytes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
