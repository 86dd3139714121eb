// The one kernel table per instruction set: every entry point the dispatchers (dispatch.c,
// dispatch_operations.c) call, filled in at compile time and chosen per call by ldk_kernels(),
// so no other code names an ISA-suffixed function.

#include "kernels_internal.h"

/// The operations every ISA compiles from the same bodies (LDK_DECLARE_OPERATIONS).
#define LDK_OPERATION_ENTRIES(isa)                                                                                     \
    .pointwise_block = {ldk_pointwise_block_##isa, LDK_POINTWISE_BLOCK_BF16}, .pool = ldk_pool_##isa,                  \
    .global_average_pool = ldk_global_average_pool_##isa, .add = ldk_add_##isa,                                        \
    .apply_activation = ldk_apply_activation_##isa, .scale_channels = ldk_scale_channels_##isa,                        \
    .channel_shuffle = ldk_channel_shuffle_##isa, .exp = ldk_exp_##isa, .softmax_rows = ldk_softmax_rows_##isa,        \
    .first_box_overlap = ldk_first_box_overlap_##isa

// The bfloat16 kernels do not depend on the ISA asked for (ldk_kernel documents that `isa` is
// ignored for them): every table on x86 carries them; whether this CPU runs them is
// ldk_bf16_is_supported(), checked when a layer is planned.
#if LDK_HAS_X86_KERNELS
#define LDK_POINTWISE_BLOCK_BF16 ldk_pointwise_block_avx512bf16
#define LDK_BF16_CONVOLUTIONS ldk_pointwise_avx512bf16, ldk_direct_avx512bf16, ldk_winograd_avx512bf16
#else
#define LDK_POINTWISE_BLOCK_BF16 NULL
#define LDK_BF16_CONVOLUTIONS NULL, NULL, NULL
#endif

static const ldk_kernel_table ldk_portable_kernels = {
    .convolve_rows = {ldk_pointwise_portable, ldk_depthwise_portable, ldk_direct_portable, ldk_winograd_portable,
                      LDK_BF16_CONVOLUTIONS},
    LDK_OPERATION_ENTRIES(portable),
};

#if LDK_HAS_X86_KERNELS
static const ldk_kernel_table ldk_avx2_kernels = {
    .convolve_rows = {ldk_pointwise_avx2, ldk_depthwise_avx2, ldk_direct_avx2, ldk_winograd_avx2,
                      LDK_BF16_CONVOLUTIONS},
    LDK_OPERATION_ENTRIES(avx2),
};

static const ldk_kernel_table ldk_avx512_kernels = {
    .convolve_rows = {ldk_pointwise_avx512, ldk_depthwise_avx512, ldk_direct_avx512, ldk_winograd_avx512,
                      LDK_BF16_CONVOLUTIONS},
    LDK_OPERATION_ENTRIES(avx512),
};
#endif

const ldk_kernel_table *ldk_kernels(ldk_isa isa) {
#if LDK_HAS_X86_KERNELS
    switch (ldk_usable_isa(isa)) {
    case LDK_ISA_AVX512:
        return &ldk_avx512_kernels;
    case LDK_ISA_AVX2:
        return &ldk_avx2_kernels;
    case LDK_ISA_PORTABLE:
        break;
    }
#else
    (void)isa;
#endif
    return &ldk_portable_kernels;
}
