// Runtime choice of the variant for the operations that are not convolutions (pooling,
// element-wise, channel shuffle, vector math): the ISA asked for, clamped to what this CPU
// runs. They run on the calling thread: each is one pass over memory, a few hundred µs at most.

#include "kernels_internal.h"

#if LDK_HAS_X86_KERNELS
#define LDK_DISPATCH(isa, function, ...)                                          \
    do {                                                                          \
        switch (ldk_usable_isa(isa)) {                                            \
        case LDK_ISA_AVX512: function##_avx512(__VA_ARGS__); break;               \
        case LDK_ISA_AVX2: function##_avx2(__VA_ARGS__); break;                   \
        case LDK_ISA_PORTABLE: function##_portable(__VA_ARGS__); break;           \
        }                                                                         \
    } while (0)
/// LDK_DISPATCH for a function that returns a value.
#define LDK_DISPATCH_RETURN(isa, function, ...)                                   \
    do {                                                                          \
        switch (ldk_usable_isa(isa)) {                                            \
        case LDK_ISA_AVX512: return function##_avx512(__VA_ARGS__);               \
        case LDK_ISA_AVX2: return function##_avx2(__VA_ARGS__);                   \
        case LDK_ISA_PORTABLE: break;                                             \
        }                                                                         \
        return function##_portable(__VA_ARGS__);                                  \
    } while (0)
#else
#define LDK_DISPATCH(isa, function, ...) function##_portable(__VA_ARGS__)
#define LDK_DISPATCH_RETURN(isa, function, ...) return function##_portable(__VA_ARGS__)
#endif

void ldk_pool(ldk_isa isa, const ldk_pooling *pooling) { LDK_DISPATCH(isa, ldk_pool, pooling); }

void ldk_global_average_pool(ldk_isa isa, ldk_feature_map input, float *output) {
    LDK_DISPATCH(isa, ldk_global_average_pool, input, output);
}

void ldk_add(ldk_isa isa, ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation) {
    LDK_DISPATCH(isa, ldk_add, a, b, output, activation);
}

void ldk_apply_activation(ldk_isa isa, ldk_feature_map input, ldk_feature_map output, ldk_activation activation) {
    LDK_DISPATCH(isa, ldk_apply_activation, input, output, activation);
}

void ldk_scale_channels(ldk_isa isa, ldk_feature_map input, const float *scales, ldk_feature_map output) {
    LDK_DISPATCH(isa, ldk_scale_channels, input, scales, output);
}

void ldk_channel_shuffle(ldk_isa isa, ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output) {
    LDK_DISPATCH(isa, ldk_channel_shuffle, input, groups, output);
}

void ldk_exp(ldk_isa isa, const float *input, ptrdiff_t count, float *output) {
    LDK_DISPATCH(isa, ldk_exp, input, count, output);
}

void ldk_softmax_rows(ldk_isa isa, const float *input, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t input_row_stride,
                      float *output, ptrdiff_t output_row_stride) {
    LDK_DISPATCH(isa, ldk_softmax_rows, input, rows, columns, input_row_stride, output, output_row_stride);
}

ptrdiff_t ldk_first_box_overlap(ldk_isa isa, ldk_box_columns boxes, ldk_box box, float minimum_iou) {
    LDK_DISPATCH_RETURN(isa, ldk_first_box_overlap, boxes, box, minimum_iou);
}

void ldk_mask_greater(ldk_isa isa, const float *values, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t row_stride,
                      float threshold, uint64_t *masks) {
    LDK_DISPATCH(isa, ldk_mask_greater, values, rows, columns, row_stride, threshold, masks);
}
