// The operations that are not convolutions (pooling, element-wise, channel shuffle, vector
// math), through the kernel table of the ISA asked for, clamped to what this CPU runs. They
// run on the calling thread: each is one pass over memory, a few hundred µs at most.

#include "kernels_internal.h"

void ldk_pool(ldk_isa isa, const ldk_pooling *pooling) { ldk_kernels(isa)->pool(pooling); }

void ldk_global_average_pool(ldk_isa isa, ldk_feature_map input, float *output) {
    ldk_kernels(isa)->global_average_pool(input, output);
}

void ldk_add(ldk_isa isa, ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation) {
    ldk_kernels(isa)->add(a, b, output, activation);
}

void ldk_apply_activation(ldk_isa isa, ldk_feature_map input, ldk_feature_map output, ldk_activation activation) {
    ldk_kernels(isa)->apply_activation(input, output, activation);
}

void ldk_scale_channels(ldk_isa isa, ldk_feature_map input, const float *scales, ldk_feature_map output) {
    ldk_kernels(isa)->scale_channels(input, scales, output);
}

void ldk_channel_shuffle(ldk_isa isa, ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output) {
    ldk_kernels(isa)->channel_shuffle(input, groups, output);
}

void ldk_exp(ldk_isa isa, const float *input, ptrdiff_t count, float *output) {
    ldk_kernels(isa)->exp(input, count, output);
}

void ldk_softmax_rows(ldk_isa isa, const float *input, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t input_row_stride,
                      float *output, ptrdiff_t output_row_stride, float threshold, uint64_t *masks) {
    ldk_kernels(isa)->softmax_rows(input, rows, columns, input_row_stride, output, output_row_stride, threshold, masks);
}

ptrdiff_t ldk_first_box_overlap(ldk_isa isa, ldk_box_columns boxes, ldk_box box, float minimum_iou) {
    return ldk_kernels(isa)->first_box_overlap(boxes, box, minimum_iou);
}
