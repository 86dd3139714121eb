// The per-ISA kernel entry points, gathered into one table per ISA (kernel_table.c) that the
// dispatchers (dispatch.c, dispatch_operations.c) read. Each convolution computes output rows [row_begin, row_end) (rows of pixels for the
// GEMM); the other operations take the arguments of their public function (CLiteDetectKernels.h).

#ifndef CLITEDETECTKERNELS_INTERNAL_H
#define CLITEDETECTKERNELS_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "CLiteDetectKernels.h"

/// Monotonic time in nanoseconds (the pool's spin deadline, program timings).
static inline int64_t ldk_now_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

void ldk_pointwise_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_depthwise_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_direct_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_winograd_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);

/// The 1×1 GEMM restricted to pixels [pixel_begin, pixel_end) and output-channel panels
/// [panel_begin, panel_end), panels numbered across groups (ldk_panel_count in all).
#define LDK_DECLARE_POINTWISE_BLOCK(isa)                                                                               \
    void ldk_pointwise_block_##isa(const ldk_convolution *c, ptrdiff_t pixel_begin, ptrdiff_t pixel_end,               \
                                   ptrdiff_t panel_begin, ptrdiff_t panel_end, void *scratch);
LDK_DECLARE_POINTWISE_BLOCK(portable)

/// Output-channel panels of a panel-packed convolution, all groups together.
static inline ptrdiff_t ldk_panel_count(const ldk_convolution *c) {
    return c->groups * ((c->output.channels / c->groups + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH);
}

/// Pooling (pool_body.h), element-wise operations (elementwise_body.h), the channel shuffle
/// (shuffle_body.h) and the vector math (exp_body.h, softmax_body.h, box_overlap_body.h) as
/// compiled for one ISA.
#define LDK_DECLARE_OPERATIONS(isa)                                                                                    \
    void ldk_pool_##isa(const ldk_pooling *pooling);                                                                   \
    void ldk_global_average_pool_##isa(ldk_feature_map input, float *output);                                          \
    void ldk_add_##isa(ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation);       \
    void ldk_apply_activation_##isa(ldk_feature_map input, ldk_feature_map output, ldk_activation activation);         \
    void ldk_scale_channels_##isa(ldk_feature_map input, const float *scales, ldk_feature_map output);                 \
    void ldk_channel_shuffle_##isa(ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output);                   \
    void ldk_exp_##isa(const float *input, ptrdiff_t count, float *output);                                            \
    void ldk_softmax_rows_##isa(const float *input, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t input_row_stride,     \
                                float *output, ptrdiff_t output_row_stride, float threshold, uint64_t *masks);         \
    ptrdiff_t ldk_first_box_overlap_##isa(ldk_box_columns boxes, ldk_box box, float minimum_iou);

LDK_DECLARE_OPERATIONS(portable)

#if defined(__x86_64__)
#define LDK_HAS_X86_KERNELS 1
LDK_DECLARE_OPERATIONS(avx2)
LDK_DECLARE_OPERATIONS(avx512)
LDK_DECLARE_POINTWISE_BLOCK(avx2)
LDK_DECLARE_POINTWISE_BLOCK(avx512)
void ldk_pointwise_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_depthwise_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_direct_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_winograd_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_pointwise_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_depthwise_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_direct_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_winograd_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
/// The bfloat16 kernels (kernels_avx512bf16.c): LDK_KERNEL_POINTWISE_BF16, _DIRECT_BF16, _WINOGRAD_BF16.
LDK_DECLARE_POINTWISE_BLOCK(avx512bf16)
void ldk_pointwise_avx512bf16(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_direct_avx512bf16(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
void ldk_winograd_avx512bf16(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
#endif

/// bfloat16 values per zero-padded input row in LDK_KERNEL_DIRECT_BF16's scratch.
ptrdiff_t ldk_direct_bf16_row_values(ptrdiff_t kernel_width, ptrdiff_t stride, ptrdiff_t output_width,
                                     ptrdiff_t input_channels_per_group);

/// `x` rounded to bfloat16 (to nearest, ties to even; a NaN stays a NaN), as its 16 bits.
uint16_t ldk_bf16_from_float(float x);

/// `isa`, or the best this CPU supports when it cannot run `isa` (instead of faulting on an
/// illegal instruction).
ldk_isa ldk_usable_isa(ldk_isa isa);

/// Kernels in ldk_kernel (LDK_KERNEL_POINTWISE … LDK_KERNEL_WINOGRAD_BF16).
#define LDK_KERNEL_COUNT 7

/// A convolution's output rows [row_begin, row_end); `scratch` is the calling thread's slot of
/// the workspace (ldk_kernel_workspace_bytes), unused by kernels that need none.
typedef void (*ldk_convolution_rows)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch);
typedef void (*ldk_pointwise_block)(const ldk_convolution *c, ptrdiff_t pixel_begin, ptrdiff_t pixel_end,
                                    ptrdiff_t panel_begin, ptrdiff_t panel_end, void *scratch);

/// Every kernel entry point as compiled for one ISA (kernel_table.c).
typedef struct {
    /// By ldk_kernel; NULL for a kernel this build has not (bfloat16 off x86).
    ldk_convolution_rows convolve_rows[LDK_KERNEL_COUNT];
    /// The 1×1 GEMM over pixel and panel ranges: [0] float32, [1] bfloat16 (NULL off x86).
    ldk_pointwise_block pointwise_block[2];
    void (*pool)(const ldk_pooling *pooling);
    void (*global_average_pool)(ldk_feature_map input, float *output);
    void (*add)(ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation);
    void (*apply_activation)(ldk_feature_map input, ldk_feature_map output, ldk_activation activation);
    void (*scale_channels)(ldk_feature_map input, const float *scales, ldk_feature_map output);
    void (*channel_shuffle)(ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output);
    void (*exp)(const float *input, ptrdiff_t count, float *output);
    void (*softmax_rows)(const float *input, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t input_row_stride,
                         float *output, ptrdiff_t output_row_stride, float threshold, uint64_t *masks);
    ptrdiff_t (*first_box_overlap)(ldk_box_columns boxes, ldk_box box, float minimum_iou);
} ldk_kernel_table;

/// The kernel table for `isa`, clamped to what this CPU runs (ldk_usable_isa): the one way the
/// dispatchers reach a kernel.
const ldk_kernel_table *ldk_kernels(ldk_isa isa);

/// Runs task(context, i, thread) once for every i in [0, items), spread over the pool's threads
/// (the caller's included); returns when all have run. `thread` is the running thread's index,
/// 0 for the caller and 1… for the workers (for its workspace slot). A NULL or busy pool runs them
/// all here, as thread 0.
void ldk_thread_pool_run(ldk_thread_pool *pool, ptrdiff_t items,
                         void (*task)(void *context, ptrdiff_t item, int thread), void *context);

#endif
