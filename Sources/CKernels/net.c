#include "fp_rules.h"
#include "distembed_net.h"

#include <stdlib.h>
#include <string.h>

#include "distembed_kernels.h"
#include "layer_kernels.h"

struct distembed_net {
    struct distembed_layer *layers;
    size_t layer_count;
    size_t capacity;
    /// `activations[i]` is layer i's input; `activations[layer_count]` the last output. A flatten's output is
    /// its input's memory; so are the gradients.
    float **activations;
    float **gradients;
    /// Per layer: a convolution's patch matrix, a dropout's mask, or NULL. A convolution whose patches all lie
    /// inside its image has no patch matrix: its products read the image through two tables instead (the same
    /// bits, `distembed_gemm_gathered`), where each output pixel's patch starts in the input and where each
    /// element of a patch lies from there.
    float **cols;
    size_t **pixel_offsets;
    size_t **element_offsets;
    float **masks;
    /// The patch-matrix gradient, shared by the convolutions (one at a time).
    float *cols_gradient;
    /// Layers below this one need no input gradient: nothing under them is trained.
    size_t first_trainable;
    /// Every allocation, to free.
    void **owned;
    size_t owned_count;
};

/// A zeroed buffer of `count` elements of `size` bytes on a 64-byte boundary: a vector load that straddles two cache
/// lines costs more (about 5 % of the products, measured with Tests/Portable/gemm_bench.c).
static void *take_bytes(struct distembed_net *net, size_t count, size_t size) {
    const size_t bytes = ((count ? count : 1) * size + 63) / 64 * 64;
    void *p = aligned_alloc(64, bytes);
    if (!p) return NULL;
    memset(p, 0, bytes);
    net->owned[net->owned_count++] = p;
    return p;
}

static float *take(struct distembed_net *net, size_t count) { return take_bytes(net, count, sizeof(float)); }

static int has_parameters(const struct distembed_layer *l) {
    return l->kind == DISTEMBED_LAYER_CONV || l->kind == DISTEMBED_LAYER_DENSE;
}

static size_t patch_rows(const struct distembed_layer *l) { return l->out_h * l->out_w; }
static size_t patch_size(const struct distembed_layer *l) { return l->kernel * l->kernel * l->in_c; }

/// Whether every patch lies wholly inside the image, so no padding is ever read.
static int patches_inside(const struct distembed_layer *l) {
    return l->kernel > 0 && l->out_h > 0 && l->out_w > 0 && l->pad_top == 0 && l->pad_left == 0
        && (l->out_h - 1) * l->stride + l->kernel <= l->in_h && (l->out_w - 1) * l->stride + l->kernel <= l->in_w;
}

/// Where the patch of each of `capacity` samples' output pixels starts in the input, in the order of the rows of
/// the patch matrix.
static size_t *take_pixel_offsets(struct distembed_net *net, const struct distembed_layer *l, size_t capacity) {
    size_t *offsets = take_bytes(net, capacity * patch_rows(l), sizeof(size_t));
    if (!offsets) return NULL;
    const size_t image_row = l->in_w * l->in_c;
    size_t t = 0;
    for (size_t s = 0; s < capacity; s++)
        for (size_t oy = 0; oy < l->out_h; oy++)
            for (size_t ox = 0; ox < l->out_w; ox++)
                offsets[t++] = s * l->in_h * image_row + oy * l->stride * image_row + ox * l->stride * l->in_c;
    return offsets;
}

/// Where each element of a patch (kernel row, kernel column, channel: the columns of the patch matrix) lies from
/// the patch's start.
static size_t *take_element_offsets(struct distembed_net *net, const struct distembed_layer *l) {
    size_t *offsets = take_bytes(net, patch_size(l), sizeof(size_t));
    if (!offsets) return NULL;
    size_t q = 0;
    for (size_t ky = 0; ky < l->kernel; ky++)
        for (size_t e = 0; e < l->kernel * l->in_c; e++) offsets[q++] = ky * l->in_w * l->in_c + e;
    return offsets;
}

struct distembed_net *distembed_net_create(
    const struct distembed_layer *layers, size_t layer_count, size_t input_size, size_t capacity) {
    if (capacity == 0) return NULL;
    for (size_t i = 0; i < layer_count; i++)
        if (layers[i].inputs != (i == 0 ? input_size : layers[i - 1].units)) return NULL;
    struct distembed_net *net = calloc(1, sizeof *net);
    if (!net) return NULL;
    net->layer_count = layer_count;
    net->capacity = capacity;
    net->layers = malloc((layer_count ? layer_count : 1) * sizeof *net->layers);
    net->activations = calloc(layer_count + 1, sizeof(float *));
    net->gradients = calloc(layer_count + 1, sizeof(float *));
    net->cols = calloc(layer_count + 1, sizeof(float *));
    net->masks = calloc(layer_count + 1, sizeof(float *));
    net->pixel_offsets = calloc(layer_count + 1, sizeof(size_t *));
    net->element_offsets = calloc(layer_count + 1, sizeof(size_t *));
    net->owned = calloc(4 * layer_count + 3, sizeof(void *));
    if (!net->layers || !net->activations || !net->gradients || !net->cols || !net->masks || !net->pixel_offsets
        || !net->element_offsets || !net->owned) {
        distembed_net_destroy(net);
        return NULL;
    }
    memcpy(net->layers, layers, layer_count * sizeof *layers);
    int ok = (net->activations[0] = take(net, capacity * input_size)) != NULL
        && (net->gradients[0] = take(net, capacity * input_size)) != NULL;
    size_t max_cols = 1;
    net->first_trainable = layer_count;
    for (size_t i = 0; ok && i < layer_count; i++) {
        const struct distembed_layer *l = &layers[i];
        if (has_parameters(l) && net->first_trainable == layer_count) net->first_trainable = i;
        if (l->kind == DISTEMBED_LAYER_FLATTEN) {
            net->activations[i + 1] = net->activations[i];
            net->gradients[i + 1] = net->gradients[i];
            continue;
        }
        if (l->kind == DISTEMBED_LAYER_CONV) {
            const size_t count = capacity * patch_rows(l) * patch_size(l);
            if (patches_inside(l))
                ok = (net->pixel_offsets[i] = take_pixel_offsets(net, l, capacity)) != NULL
                    && (net->element_offsets[i] = take_element_offsets(net, l)) != NULL;
            else
                ok = (net->cols[i] = take(net, count)) != NULL;
            if (count > max_cols) max_cols = count;
        }
        if (l->kind == DISTEMBED_LAYER_DROPOUT) ok = ok && (net->masks[i] = take(net, capacity * l->units)) != NULL;
        ok = ok && (net->activations[i + 1] = take(net, capacity * l->units)) != NULL
            && (net->gradients[i + 1] = take(net, capacity * l->units)) != NULL;
    }
    ok = ok && (net->cols_gradient = take(net, max_cols)) != NULL;
    if (!ok) {
        distembed_net_destroy(net);
        return NULL;
    }
    return net;
}

void distembed_net_destroy(struct distembed_net *net) {
    if (!net) return;
    for (size_t i = 0; i < net->owned_count; i++) free(net->owned[i]);
    free(net->owned);
    free(net->element_offsets);
    free(net->pixel_offsets);
    free(net->masks);
    free(net->cols);
    free(net->gradients);
    free(net->activations);
    free(net->layers);
    free(net);
}

float *distembed_net_activation(struct distembed_net *net, size_t index) { return net->activations[index]; }
float *distembed_net_gradient(struct distembed_net *net, size_t index) { return net->gradients[index]; }
float *distembed_net_mask(struct distembed_net *net, size_t layer) { return net->masks[layer]; }

static void forward_layer(struct distembed_net *net, size_t i, const float *weights, size_t n, int training) {
    const struct distembed_layer *l = &net->layers[i];
    const float *input = net->activations[i];
    float *output = net->activations[i + 1];
    switch (l->kind) {
    case DISTEMBED_LAYER_CONV: {
        const size_t rows = n * patch_rows(l), k = patch_size(l);
        if (net->pixel_offsets[i]) {
            distembed_gemm_gathered(rows, l->out_c, k, input, net->pixel_offsets[i], net->element_offsets[i],
                                    weights + l->kernel_offset, l->out_c, output, l->out_c, 0);
        } else {
            distembed_im2col(l, n, input, net->cols[i]);
            distembed_gemm(rows, l->out_c, k, net->cols[i], 0, k, weights + l->kernel_offset, 0, l->out_c, output,
                           l->out_c, 0);
        }
        distembed_add_bias(output, rows, weights + l->bias_offset, l->out_c, l->relu);
        break;
    }
    case DISTEMBED_LAYER_DENSE:
        distembed_gemm(n, l->units, l->inputs, input, 0, l->inputs, weights + l->kernel_offset, 0, l->units,
                       output, l->units, 0);
        distembed_add_bias(output, n, weights + l->bias_offset, l->units, l->relu);
        break;
    case DISTEMBED_LAYER_DROPOUT:
        if (training)
            distembed_multiply(input, net->masks[i], output, n * l->units);
        else
            memcpy(output, input, n * l->units * sizeof(float));
        break;
    default:
        break;
    }
}

void distembed_net_forward(
    struct distembed_net *net, const float *weights, size_t count, size_t first, size_t end, int training) {
    for (size_t i = first; i < end; i++) forward_layer(net, i, weights, count, training);
}

void distembed_net_softmax_xent(
    struct distembed_net *net, size_t count, const uint32_t *labels, float *losses, uint32_t *predicted,
    int set_gradient) {
    const size_t last = net->layer_count;
    const size_t classes = net->layers[last - 1].units;
    float *z = net->activations[last];
    float *top = net->gradients[last];
    for (size_t r = 0; r < count; r++) {
        float *row = z + r * classes;
        size_t argmax = 0;
        losses[r] = distembed_softmax_xent(row, classes, labels[r], &argmax);
        predicted[r] = (uint32_t)argmax;
        if (!set_gradient) continue;
        for (size_t c = 0; c < classes; c++) top[r * classes + c] = row[c] - (c == labels[r] ? 1.0f : 0.0f);
    }
}

void distembed_net_backward_parameters(struct distembed_net *net, size_t n, size_t i, float *layer_gradient) {
    const struct distembed_layer *l = &net->layers[i];
    const float *input = net->activations[i];
    float *out_grad = net->gradients[i + 1];
    if (!has_parameters(l)) return;
    float *kernel_gradient = layer_gradient;
    float *bias_gradient = layer_gradient + (l->bias_offset - l->kernel_offset);
    if (l->kind == DISTEMBED_LAYER_CONV) {
        const size_t rows = n * patch_rows(l), k = patch_size(l);
        distembed_relu_backward_bias_gradient(out_grad, net->activations[i + 1], l->relu, rows, l->out_c,
                                              bias_gradient);
        if (net->pixel_offsets[i]) {
            distembed_gemm_gathered(k, l->out_c, rows, input, net->element_offsets[i], net->pixel_offsets[i],
                                    out_grad, l->out_c, kernel_gradient, l->out_c, 0);
        } else {
            distembed_gemm(k, l->out_c, rows, net->cols[i], 1, k, out_grad, 0, l->out_c, kernel_gradient, l->out_c,
                           0);
        }
    } else {
        distembed_relu_backward_bias_gradient(out_grad, net->activations[i + 1], l->relu, n, l->units, bias_gradient);
        distembed_gemm(l->inputs, l->units, n, input, 1, l->inputs, out_grad, 0, l->units, kernel_gradient, l->units,
                       0);
    }
}

void distembed_net_backward_input(struct distembed_net *net, const float *weights, size_t n, size_t i) {
    if (i <= net->first_trainable) return;
    const struct distembed_layer *l = &net->layers[i];
    const float *out_grad = net->gradients[i + 1];
    switch (l->kind) {
    case DISTEMBED_LAYER_CONV: {
        const size_t rows = n * patch_rows(l), k = patch_size(l);
        distembed_gemm(rows, k, l->out_c, out_grad, 0, l->out_c, weights + l->kernel_offset, 1, l->out_c,
                       net->cols_gradient, k, 0);
        distembed_col2im(l, n, net->cols_gradient, net->gradients[i]);
        break;
    }
    case DISTEMBED_LAYER_DENSE:
        distembed_gemm(n, l->inputs, l->units, out_grad, 0, l->units, weights + l->kernel_offset, 1, l->units,
                       net->gradients[i], l->inputs, 0);
        break;
    case DISTEMBED_LAYER_DROPOUT:
        distembed_multiply(out_grad, net->masks[i], net->gradients[i], n * l->units);
        break;
    default:
        break;
    }
}

void distembed_net_backward(
    struct distembed_net *net, const float *weights, size_t count, size_t last, float *gradient) {
    for (size_t i = last + 1; i-- > 0;) {
        distembed_net_backward_parameters(net, count, i, gradient + net->layers[i].kernel_offset);
        distembed_net_backward_input(net, weights, count, i);
    }
}
