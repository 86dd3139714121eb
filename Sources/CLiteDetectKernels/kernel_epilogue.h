// What every kernel does with a finished sum: add the residual (if any), apply the activation
// and store. Included after one vector_<isa>.h; the same text then compiles for that ISA.

#include "CLiteDetectKernels.h"

#define LDK_PASTE_(a, b) a##_##b
#define LDK_PASTE(a, b) LDK_PASTE_(a, b)
/// `LDK_NAME(pointwise)` is `ldk_pointwise_avx512` in the AVX-512 file, and so on.
#define LDK_NAME(name) LDK_PASTE(ldk_##name, LDK_ISA_SUFFIX)

/// Floats of one GEMM pass: the panel is covered in 32 / LDK_PASS_WIDTH passes.
#define LDK_PASS_WIDTH (LDK_LANES * LDK_TILE_VECTORS)

/// The activations of ldk_activation, written as the reference (Activation.apply) writes them.
LDK_INLINE ldk_vf ldk_activate(ldk_vf x, ldk_activation activation) {
    switch (activation) {
    case LDK_ACTIVATION_IDENTITY:
        return x;
    case LDK_ACTIVATION_RELU:
        return vf_max(x, vf_zero());
    case LDK_ACTIVATION_RELU6:
        return vf_min(vf_max(x, vf_zero()), vf_set1(6));
    case LDK_ACTIVATION_HARD_SWISH:
        return vf_mul(x, vf_mul(vf_min(vf_max(vf_add(x, vf_set1(3)), vf_zero()), vf_set1(6)), vf_set1(1.0f / 6)));
    case LDK_ACTIVATION_HARD_SIGMOID:
        return vf_mul(vf_min(vf_max(vf_add(x, vf_set1(3)), vf_zero()), vf_set1(6)), vf_set1(1.0f / 6));
    }
    return x;
}

/// Stores activation(sum + residual) into the first `count` (1 … LDK_LANES) floats at `output`;
/// `residual` is NULL when there is none. The residual is read before the output is written,
/// so the two may be the same memory.
LDK_INLINE void ldk_store(float *output, const float *residual, ldk_vf sum, ldk_activation activation,
                          ptrdiff_t count) {
    if (count >= LDK_LANES) {
        if (residual) sum = vf_add(sum, vf_load(residual));
        vf_store(output, ldk_activate(sum, activation));
    } else {
        if (residual) sum = vf_add(sum, vf_load_first(residual, count));
        vf_store_first(output, ldk_activate(sum, activation), count);
    }
}

/// Calls `function(c, activation, ...)` with the activation as a compile-time constant, so each
/// inlined copy of the kernel stores through its own activation only, with no switch per store.
#define LDK_WITH_CONSTANT_ACTIVATION(function, c, ...)                                                                 \
    do {                                                                                                               \
        switch ((c)->activation) {                                                                                     \
        case LDK_ACTIVATION_IDENTITY:                                                                                  \
            function(c, LDK_ACTIVATION_IDENTITY, __VA_ARGS__);                                                         \
            break;                                                                                                     \
        case LDK_ACTIVATION_RELU:                                                                                      \
            function(c, LDK_ACTIVATION_RELU, __VA_ARGS__);                                                             \
            break;                                                                                                     \
        case LDK_ACTIVATION_RELU6:                                                                                     \
            function(c, LDK_ACTIVATION_RELU6, __VA_ARGS__);                                                            \
            break;                                                                                                     \
        case LDK_ACTIVATION_HARD_SWISH:                                                                                \
            function(c, LDK_ACTIVATION_HARD_SWISH, __VA_ARGS__);                                                       \
            break;                                                                                                     \
        case LDK_ACTIVATION_HARD_SIGMOID:                                                                              \
            function(c, LDK_ACTIVATION_HARD_SIGMOID, __VA_ARGS__);                                                     \
            break;                                                                                                     \
        }                                                                                                              \
    } while (0)
