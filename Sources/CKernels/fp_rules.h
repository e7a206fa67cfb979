// Compiler settings every kernel file includes first: the arithmetic must be exactly what the source writes.
#ifndef DISTEMBED_FP_RULES_H
#define DISTEMBED_FP_RULES_H

#include <float.h>

#if defined(__FAST_MATH__)
#error "the kernels must not be built with -ffast-math: it reassociates sums and changes the bits"
#endif
// 16: gcc's value when AVX-512 FP16 is on; float is still evaluated in float.
#if FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != 16
#error "the kernels need float expressions evaluated in float (no x87 excess precision)"
#endif

// No contraction of a * b + c into a fused multiply-add: an fma appears only where the code calls one.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#endif
