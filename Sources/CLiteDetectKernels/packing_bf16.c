// Weight repacking for the bfloat16 kernels, run once when a layer is loaded: panels as in
// packing.c, each kernel row's weights taken two at a time (VDPBF16PS's operand) and every
// weight rounded to bfloat16.

#include <string.h>

#include "CLiteDetectKernels.h"
#include "kernels_internal.h"

uint16_t ldk_bf16_from_float(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    // A NaN stays a (quiet) NaN: rounding could carry its payload into the exponent → infinity.
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x0040u);
    // Round to nearest, ties to even: add just under half an ulp of the kept part, plus one more
    // when the kept part is odd. Overflow past the largest finite value correctly becomes infinity.
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static ptrdiff_t ldk_panels_per_group_bf16(ptrdiff_t output_channels, ptrdiff_t groups) {
    return (output_channels / groups + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
}

size_t ldk_panel_bf16_weight_count(ptrdiff_t output_channels, ptrdiff_t groups, ptrdiff_t kernel_height,
                                   ptrdiff_t kernel_width, ptrdiff_t input_channels_per_group) {
    const ptrdiff_t row_pairs = (kernel_width * input_channels_per_group + 1) / 2;
    return (size_t)(groups * ldk_panels_per_group_bf16(output_channels, groups) * kernel_height * row_pairs * 2 *
                    LDK_PANEL_WIDTH);
}

void ldk_pack_panels_bf16(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t groups,
                          ptrdiff_t kernel_height, ptrdiff_t kernel_width, ptrdiff_t input_channels_per_group,
                          uint16_t *packed_weights, float *packed_bias) {
    const ptrdiff_t group_outputs = output_channels / groups, depth = input_channels_per_group;
    // One kernel row's weights are a run of kernel_width · depth values ([column][channel], as
    // the input under it), taken two at a time.
    const ptrdiff_t run = kernel_width * depth, row_pairs = (run + 1) / 2;
    const ptrdiff_t panels = ldk_panels_per_group_bf16(output_channels, groups);
    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t p = 0; p < panels; p++) {
            uint16_t *panel = packed_weights + (g * panels + p) * kernel_height * row_pairs * 2 * LDK_PANEL_WIDTH;
            float *panel_bias = packed_bias + (g * panels + p) * LDK_PANEL_WIDTH;
            for (ptrdiff_t j = 0; j < LDK_PANEL_WIDTH; j++) {
                const ptrdiff_t in_group = p * LDK_PANEL_WIDTH + j;
                const int exists = in_group < group_outputs;
                const ptrdiff_t o = g * group_outputs + in_group;
                panel_bias[j] = exists && bias ? bias[o] : 0;
                for (ptrdiff_t ky = 0; ky < kernel_height; ky++) {
                    for (ptrdiff_t e = 0; e < 2 * row_pairs; e++) {
                        const float w =
                            exists && e < run ? weights[((o * kernel_height + ky) * kernel_width) * depth + e] : 0;
                        panel[((ky * row_pairs + e / 2) * LDK_PANEL_WIDTH + j) * 2 + e % 2] = ldk_bf16_from_float(w);
                    }
                }
            }
        }
    }
}

ptrdiff_t ldk_direct_bf16_row_values(ptrdiff_t kernel_width, ptrdiff_t stride, ptrdiff_t output_width,
                                     ptrdiff_t input_channels_per_group) {
    const ptrdiff_t padded_width = (output_width - 1) * stride + kernel_width;
    // One value more for an odd run: the last window's last pair reads it (times a zero weight).
    return padded_width * input_channels_per_group + 1;
}

int ldk_direct_bf16_fits(ptrdiff_t kernel_height, ptrdiff_t kernel_width, ptrdiff_t stride, ptrdiff_t output_width,
                         ptrdiff_t input_channels_per_group) {
    return kernel_height * ldk_direct_bf16_row_values(kernel_width, stride, output_width, input_channels_per_group) <=
           LDK_BF16_SCRATCH_VALUES;
}
