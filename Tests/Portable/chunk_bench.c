// Times the exercise's chunk gradient (8 samples: forward, softmax with cross-entropy, backward) on the kernels
// alone, on every path this CPU and build have, against the core's measured FMA peak, and prints a hash of the
// gradient so that builds and paths can be compared bit for bit. A quick check of a kernel change before the Swift
// build (`distembed debug kernels` times the same chunk through the engine, with the data loading).
//
//     chunk_bench [rounds] [path]
//
// Each figure is the best of `rounds` (default 200) batches of 10 chunks: on a busy machine some batches run
// undisturbed. Build (x86-64, as SwiftPM builds the kernels):
//     cc -O3 -mavx2 -mfma -ffp-contract=off -fno-math-errno -ISources/CKernels/include -ISources/CKernels
//        Sources/CKernels/*.c Tests/Portable/chunk_bench.c -lm -o chunk_bench
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distembed_kernels.h"
#include "distembed_net.h"

enum { SAMPLES = 8, BATCH = 10, PARAMETERS = 72842 };
/// Multiply-adds of one training sample of the exercise's model, times two (Docs/Platform.md, cost model).
static const double flops_per_chunk = 2.0 * 2581440 * SAMPLES;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/// A 3 × 3 convolution with stride 2 and no padding, followed by a ReLU.
static struct distembed_layer conv(size_t side, size_t in_c, size_t out_c, size_t kernel_offset) {
    struct distembed_layer l = {0};
    l.kind = DISTEMBED_LAYER_CONV;
    l.relu = 1;
    l.in_h = l.in_w = side;
    l.in_c = in_c;
    l.out_h = l.out_w = (side - 3) / 2 + 1;
    l.out_c = out_c;
    l.kernel = 3;
    l.stride = 2;
    l.inputs = side * side * in_c;
    l.units = l.out_h * l.out_w * out_c;
    l.kernel_offset = kernel_offset;
    l.bias_offset = kernel_offset + 9 * in_c * out_c;
    return l;
}

static struct distembed_layer plain(int kind, int relu, size_t inputs, size_t units, size_t kernel_offset) {
    struct distembed_layer l = {0};
    l.kind = kind;
    l.relu = relu;
    l.inputs = inputs;
    l.units = units;
    l.kernel_offset = kernel_offset;
    l.bias_offset = kernel_offset + inputs * units;
    return l;
}

int main(int argc, char **argv) {
    const int rounds = argc > 1 ? atoi(argv[1]) : 200;
    const char *only = argc > 2 ? argv[2] : NULL;  // a path's name: "scalar", "avx2", "avx512", "neon"
    // experiments/exercise4.json's model; offsets as Swift's Model lays the parameters out.
    const struct distembed_layer layers[] = {
        conv(28, 1, 32, 0), conv(13, 32, 64, 320), conv(6, 64, 64, 18816),
        plain(DISTEMBED_LAYER_FLATTEN, 0, 256, 256, 0), plain(DISTEMBED_LAYER_DENSE, 1, 256, 64, 55744),
        plain(DISTEMBED_LAYER_DROPOUT, 0, 64, 64, 0), plain(DISTEMBED_LAYER_DENSE, 0, 64, 10, 72192),
    };
    const size_t count = sizeof layers / sizeof layers[0];
    float *weights = malloc(PARAMETERS * sizeof(float)), *gradient = malloc(PARAMETERS * sizeof(float));
    struct distembed_net *net = distembed_net_create(layers, count, 784, SAMPLES);
    if (!weights || !gradient || !net) return 1;
    srand(1);
    for (size_t i = 0; i < PARAMETERS; i++) weights[i] = (float)(rand() % 2001 - 1000) * 1e-4f;
    float *input = distembed_net_activation(net, 0), *mask = distembed_net_mask(net, 5);
    for (size_t i = 0; i < SAMPLES * 784; i++) input[i] = (float)(rand() % 256) / 255.0f - 0.3f;
    for (size_t i = 0; i < SAMPLES * 64; i++) mask[i] = rand() % 4 ? 1.0f / 0.75f : 0.0f;
    uint32_t labels[SAMPLES], predicted[SAMPLES];
    float losses[SAMPLES];
    for (size_t i = 0; i < SAMPLES; i++) labels[i] = (uint32_t)(i % 10);

    printf("chunk gradient of %d samples, %.1f MFLOP; best of %d batches of %d\n", SAMPLES, flops_per_chunk / 1e6,
           rounds, BATCH);
    for (int isa = DISTEMBED_ISA_SCALAR; isa <= DISTEMBED_ISA_NEON; isa++) {
        if ((only && strcmp(only, distembed_isa_name(isa)) != 0) || distembed_isa_select(isa) != 0) continue;
        double best = 1e9, forward = 0, backward = 0;
        for (int r = 0; r < rounds; r++) {
            double f = 0, b = 0, start = now();
            for (int i = 0; i < BATCH; i++) {
                double t0 = now();
                distembed_net_forward(net, weights, SAMPLES, 0, count, 1);
                distembed_net_softmax_xent(net, SAMPLES, labels, losses, predicted, 1);
                double t1 = now();
                distembed_net_backward(net, weights, SAMPLES, count - 1, gradient);
                b += now() - t1;
                f += t1 - t0;
            }
            double t = (now() - start) / BATCH;
            if (t < best) best = t, forward = f / BATCH, backward = b / BATCH;
        }
        // The peak of the path's own vectors (the scalar path is rated against the narrowest the CPU has).
        double peak = distembed_fma_peak(isa == DISTEMBED_ISA_SCALAR ? distembed_isa_best() : isa);
        if (isa == DISTEMBED_ISA_SCALAR && distembed_isa_best() == DISTEMBED_ISA_AVX512)
            peak = distembed_fma_peak(DISTEMBED_ISA_AVX2);
        uint64_t hash = distembed_fnv1a64(0xcbf29ce484222325ULL, gradient, PARAMETERS * sizeof(float));
        printf("%-7s %8.1f µs (forward %6.1f, backward %6.1f)  %6.1f GFLOP/s  %3.0f%% of %.1f  gradient %016llx\n",
               distembed_isa_name(isa), best * 1e6, forward * 1e6, backward * 1e6, flops_per_chunk / best / 1e9,
               100 * flops_per_chunk / best / 1e9 / peak, peak, (unsigned long long)hash);
    }
    distembed_net_destroy(net);
    free(weights);
    free(gradient);
    return 0;
}
