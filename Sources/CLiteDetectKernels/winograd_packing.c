// The Winograd F(2×2, 3×3) weight transform, run once when a layer is loaded: each 3×3 kernel
// g becomes U = G g Gᵀ (4×4), packed for winograd_body.h (layout in CLiteDetectKernels.h).

#include "CLiteDetectKernels.h"
#include "kernels_internal.h"

/// G of F(2, 3): four transformed taps from three.
static const double ldk_winograd_g[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

static ptrdiff_t ldk_winograd_panels(ptrdiff_t output_channels) {
    return (output_channels + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
}

size_t ldk_winograd_weight_count(ptrdiff_t output_channels, ptrdiff_t input_channels) {
    return (size_t)(16 * ldk_winograd_panels(output_channels) * input_channels * LDK_PANEL_WIDTH);
}

size_t ldk_winograd_bias_count(ptrdiff_t output_channels) {
    return (size_t)(ldk_winograd_panels(output_channels) * LDK_PANEL_WIDTH);
}

/// U = G g Gᵀ of output channel o and input channel i, in double so the packed weights carry
/// one rounding, not several (all zeros for a padding output channel).
static void ldk_winograd_transform(const float *weights, ptrdiff_t output_channels, ptrdiff_t input_channels,
                                   ptrdiff_t o, ptrdiff_t i, double u[4][4]) {
    for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) u[r][s] = 0;
    if (o >= output_channels || i >= input_channels) return;
    double gg[4][3]; // G · g
    for (int r = 0; r < 4; r++)
        for (int x = 0; x < 3; x++) {
            gg[r][x] = 0;
            for (int y = 0; y < 3; y++)
                gg[r][x] += ldk_winograd_g[r][y] * weights[((o * 3 + y) * 3 + x) * input_channels + i];
        }
    for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++)
            for (int x = 0; x < 3; x++) u[r][s] += gg[r][x] * ldk_winograd_g[s][x];
}

void ldk_pack_winograd(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t input_channels,
                       float *packed_weights, float *packed_bias) {
    const ptrdiff_t panels = ldk_winograd_panels(output_channels), padded = panels * LDK_PANEL_WIDTH;
    for (ptrdiff_t o = 0; o < padded; o++) {
        packed_bias[o] = o < output_channels && bias ? bias[o] : 0;
        const ptrdiff_t panel = o / LDK_PANEL_WIDTH, lane = o % LDK_PANEL_WIDTH;
        for (ptrdiff_t i = 0; i < input_channels; i++) {
            double u[4][4];
            ldk_winograd_transform(weights, output_channels, input_channels, o, i, u);
            for (int position = 0; position < 16; position++)
                packed_weights[((position * panels + panel) * input_channels + i) * LDK_PANEL_WIDTH + lane] =
                    (float)u[position / 4][position % 4];
        }
    }
}

size_t ldk_winograd_bf16_weight_count(ptrdiff_t output_channels, ptrdiff_t input_channels) {
    return (size_t)(16 * ldk_winograd_panels(output_channels) * ((input_channels + 1) / 2 * 2) * LDK_PANEL_WIDTH);
}

void ldk_pack_winograd_bf16(const float *weights, const float *bias, ptrdiff_t output_channels,
                            ptrdiff_t input_channels, uint16_t *packed_weights, float *packed_bias) {
    const ptrdiff_t panels = ldk_winograd_panels(output_channels), padded = panels * LDK_PANEL_WIDTH;
    const ptrdiff_t depth = (input_channels + 1) / 2 * 2;
    for (ptrdiff_t o = 0; o < padded; o++) {
        packed_bias[o] = o < output_channels && bias ? bias[o] : 0;
        const ptrdiff_t panel = o / LDK_PANEL_WIDTH, lane = o % LDK_PANEL_WIDTH;
        for (ptrdiff_t i = 0; i < depth; i++) {
            double u[4][4];
            ldk_winograd_transform(weights, output_channels, input_channels, o, i, u);
            for (int position = 0; position < 16; position++)
                packed_weights[(((position * panels + panel) * depth + i / 2 * 2) * LDK_PANEL_WIDTH) + lane * 2 +
                               i % 2] = ldk_bf16_from_float((float)u[position / 4][position % 4]);
        }
    }
}
