// Recomputes the chunk gradients `distembed debug portable-cases` wrote (Sources/Core/Training/PortableProof.swift)
// with this build of the kernels, and prints one `hash NAME HEX` line per chunk: FNV-1a over the gradient's bytes,
// then the loss sum's. scripts/verify-portable.sh builds this for several CPUs and compares the lines with the
// ones the Swift build printed.
//
//     net_check CASES_DIR
//
// verify-portable: cross-args ${DISTEMBED_PORTABLE_CASES}
// verify-portable: expect ${DISTEMBED_PORTABLE_CASES}/swift-hashes.txt
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distembed_kernels.h"
#include "distembed_net.h"

#define MAX_LAYERS 64
#define MAX_CASES 100000

static void fail(const char *what, const char *name) {
    fprintf(stderr, "net_check: %s: %s\n", what, name);
    exit(2);
}

static size_t read_layers(const char *dir, struct distembed_layer *layers, size_t *input_size, size_t *params) {
    char path[4096];
    snprintf(path, sizeof path, "%s/layers.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) fail("cannot open", path);
    if (fscanf(f, "%zu %zu", input_size, params) != 2) fail("bad header", path);
    size_t n = 0;
    for (;;) {
        struct distembed_layer l = {0};
        int kind, relu;
        int got = fscanf(f, "%d %d %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu", &kind, &relu, &l.in_h,
                         &l.in_w, &l.in_c, &l.out_h, &l.out_w, &l.out_c, &l.kernel, &l.stride, &l.pad_top,
                         &l.pad_left, &l.inputs, &l.units, &l.kernel_offset, &l.bias_offset);
        if (got == EOF) break;
        if (got != 16 || n == MAX_LAYERS) fail("bad layer line", path);
        l.kind = kind;
        l.relu = relu;
        layers[n++] = l;
    }
    fclose(f);
    return n;
}

static void read_exact(FILE *f, void *p, size_t bytes, const char *name) {
    if (fread(p, 1, bytes, f) != bytes) fail("short case file", name);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: net_check CASES_DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    struct distembed_layer layers[MAX_LAYERS];
    size_t input_size, params;
    const size_t layer_count = read_layers(dir, layers, &input_size, &params);

    DIR *d = opendir(dir);
    if (!d) fail("cannot open", dir);
    char **names = malloc(MAX_CASES * sizeof *names);
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".case") == 0 && count < MAX_CASES) names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);
    printf("kernels %s, %zu layers, %zu parameters, %zu cases\n", distembed_isa_name(distembed_isa_active()),
           layer_count, params, count);

    float *weights = malloc(params * sizeof(float));
    float *gradient = malloc(params * sizeof(float));
    for (size_t c = 0; c < count; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[c]);
        FILE *f = fopen(path, "rb");
        if (!f) fail("cannot open", path);
        uint64_t rows;
        read_exact(f, &rows, 8, path);
        if (rows == 0 || rows > 1u << 20) fail("bad row count", path);
        struct distembed_net *net = distembed_net_create(layers, layer_count, input_size, rows);
        if (!net) fail("cannot build the net", path);
        read_exact(f, weights, params * sizeof(float), path);
        read_exact(f, distembed_net_activation(net, 0), rows * input_size * sizeof(float), path);
        uint32_t *labels = malloc(rows * sizeof *labels), *predicted = malloc(rows * sizeof *predicted);
        float *losses = malloc(rows * sizeof *losses);
        read_exact(f, labels, rows * sizeof *labels, path);
        for (size_t i = 0; i < layer_count; i++)
            if (layers[i].kind == DISTEMBED_LAYER_DROPOUT)
                read_exact(f, distembed_net_mask(net, i), rows * layers[i].units * sizeof(float), path);
        if (fgetc(f) != EOF) fail("trailing bytes", path);
        fclose(f);

        distembed_net_forward(net, weights, rows, 0, layer_count, 1);
        distembed_net_softmax_xent(net, rows, labels, losses, predicted, 1);
        distembed_net_backward(net, weights, rows, layer_count - 1, gradient);
        // The loss sum as GradientEngine.Stats forms it: each loss rounded to a multiple of 2^-24, in row order.
        double loss_sum = 0;
        for (size_t r = 0; r < rows; r++) loss_sum += round((double)losses[r] * 16777216.0) / 16777216.0;
        uint64_t h = distembed_fnv1a64(0xcbf29ce484222325ULL, gradient, params * sizeof(float));
        h = distembed_fnv1a64(h, &loss_sum, sizeof loss_sum);
        const size_t len = strlen(names[c]);
        printf("hash %.*s %016llx\n", (int)(len - 5), names[c], (unsigned long long)h);
        free(labels);
        free(predicted);
        free(losses);
        distembed_net_destroy(net);
        free(names[c]);
    }
    free(names);
    free(weights);
    free(gradient);
    return count == 0;
}
