// Weight repacking, run once when a layer is loaded: from the engine's OHWI order into the
// layouts the kernels stream (see CLiteDetectKernels.h for both).

#include "CLiteDetectKernels.h"

static ptrdiff_t ldk_panels_per_group(ptrdiff_t output_channels, ptrdiff_t groups) {
    return (output_channels / groups + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
}

size_t ldk_panel_weight_count(ptrdiff_t output_channels, ptrdiff_t groups, ptrdiff_t taps,
                              ptrdiff_t input_channels_per_group) {
    return (size_t)(groups * ldk_panels_per_group(output_channels, groups) * taps * input_channels_per_group *
                    LDK_PANEL_WIDTH);
}

size_t ldk_panel_bias_count(ptrdiff_t output_channels, ptrdiff_t groups) {
    return (size_t)(groups * ldk_panels_per_group(output_channels, groups) * LDK_PANEL_WIDTH);
}

void ldk_pack_panels(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t groups,
                     ptrdiff_t taps, ptrdiff_t input_channels_per_group, float *packed_weights, float *packed_bias) {
    const ptrdiff_t group_outputs = output_channels / groups, depth = input_channels_per_group;
    const ptrdiff_t panels = ldk_panels_per_group(output_channels, groups);
    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t p = 0; p < panels; p++) {
            float *panel = packed_weights + (g * panels + p) * taps * depth * LDK_PANEL_WIDTH;
            float *panel_bias = packed_bias + (g * panels + p) * LDK_PANEL_WIDTH;
            for (ptrdiff_t j = 0; j < LDK_PANEL_WIDTH; j++) {
                const ptrdiff_t in_group = p * LDK_PANEL_WIDTH + j;
                const int exists = in_group < group_outputs;
                const ptrdiff_t o = g * group_outputs + in_group;
                panel_bias[j] = exists && bias ? bias[o] : 0;
                for (ptrdiff_t t = 0; t < taps; t++)
                    for (ptrdiff_t i = 0; i < depth; i++)
                        panel[(t * depth + i) * LDK_PANEL_WIDTH + j] = exists ? weights[(o * taps + t) * depth + i] : 0;
            }
        }
    }
}

static ptrdiff_t ldk_depthwise_padded_channels(ptrdiff_t channels) {
    return (channels + LDK_DEPTHWISE_CHANNEL_ALIGNMENT - 1) / LDK_DEPTHWISE_CHANNEL_ALIGNMENT *
           LDK_DEPTHWISE_CHANNEL_ALIGNMENT;
}

size_t ldk_depthwise_weight_count(ptrdiff_t channels, ptrdiff_t taps) {
    return (size_t)(taps * ldk_depthwise_padded_channels(channels));
}

size_t ldk_depthwise_bias_count(ptrdiff_t channels) { return (size_t)ldk_depthwise_padded_channels(channels); }

void ldk_pack_depthwise(const float *weights, const float *bias, ptrdiff_t channels, ptrdiff_t taps,
                        float *packed_weights, float *packed_bias) {
    const ptrdiff_t padded = ldk_depthwise_padded_channels(channels);
    const ptrdiff_t block = LDK_DEPTHWISE_CHANNEL_ALIGNMENT;
    for (ptrdiff_t c = 0; c < padded; c++) {
        packed_bias[c] = c < channels && bias ? bias[c] : 0;
        float *block_taps = packed_weights + c / block * block * taps + c % block;
        for (ptrdiff_t t = 0; t < taps; t++) block_taps[t * block] = c < channels ? weights[c * taps + t] : 0;
    }
}
