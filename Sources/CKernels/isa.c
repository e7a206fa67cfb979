// Which instruction-set path the kernels take: the best one this CPU and build support, unless the environment
// variable DISTEMBED_KERNELS names another (scalar, avx2, avx512, neon) or a test or benchmark chose one through
// distembed_isa_select.
#include "fp_rules.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distembed_kernels.h"

/// Whether this build has code for `isa` and this CPU can run it.
static int supported(int isa) {
    switch (isa) {
    case DISTEMBED_ISA_SCALAR:
        return 1;
#if defined(__x86_64__)
    // __builtin_cpu_supports also checks that the operating system saves the vector registers (XGETBV).
    case DISTEMBED_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case DISTEMBED_ISA_AVX512:
        // The AVX-512 path packs operands with AVX2 code; every AVX-512F CPU has AVX2 and FMA anyway.
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#elif defined(__aarch64__)
    case DISTEMBED_ISA_NEON:
        return 1;  // Advanced SIMD is part of every AArch64 CPU.
#endif
    default:
        return 0;
    }
}

int distembed_isa_best(void) {
    static const int preference[] = {DISTEMBED_ISA_AVX512, DISTEMBED_ISA_AVX2, DISTEMBED_ISA_NEON};
    for (size_t i = 0; i < sizeof preference / sizeof preference[0]; i++)
        if (supported(preference[i])) return preference[i];
    return DISTEMBED_ISA_SCALAR;
}

/// The path DISTEMBED_KERNELS names, when this CPU has it; otherwise the best one (saying why on stderr).
static int initial_isa(void) {
    const char *wanted = getenv("DISTEMBED_KERNELS");
    if (!wanted || !*wanted) return distembed_isa_best();
    for (int isa = DISTEMBED_ISA_SCALAR; isa <= DISTEMBED_ISA_NEON; isa++) {
        if (strcmp(wanted, distembed_isa_name(isa)) != 0) continue;
        if (supported(isa)) return isa;
        fprintf(stderr, "distembed: DISTEMBED_KERNELS=%s: this CPU or build has no such path; using %s\n", wanted,
                distembed_isa_name(distembed_isa_best()));
        return distembed_isa_best();
    }
    fprintf(stderr, "distembed: DISTEMBED_KERNELS=%s is not scalar, avx2, avx512 or neon; using %s\n", wanted,
            distembed_isa_name(distembed_isa_best()));
    return distembed_isa_best();
}

/// -1 until the first query; atomic so that threads racing on the first call are well defined.
static _Atomic int active_isa = -1;

int distembed_isa_active(void) {
    int isa = atomic_load_explicit(&active_isa, memory_order_relaxed);
    if (isa < 0) {
        isa = initial_isa();
        atomic_store_explicit(&active_isa, isa, memory_order_relaxed);
    }
    return isa;
}

int distembed_isa_select(int isa) {
    if (!supported(isa)) return -1;
    atomic_store_explicit(&active_isa, isa, memory_order_relaxed);
    return 0;
}

const char *distembed_isa_name(int isa) {
    switch (isa) {
    case DISTEMBED_ISA_SCALAR: return "scalar";
    case DISTEMBED_ISA_AVX2: return "avx2";
    case DISTEMBED_ISA_AVX512: return "avx512";
    case DISTEMBED_ISA_NEON: return "neon";
    default: return "unknown";
    }
}
