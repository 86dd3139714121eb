// The direct convolution of direct_body.h in bfloat16 (LDK_KERNEL_DIRECT_BF16).
//
// A band of input rows of one group is rounded to bfloat16 into a zero-padded copy: zero
// columns to the left and right, as far as the widest window reaches, and zero rows above and
// below the image. Every output pixel is then an interior one, and each kernel row of a window
// is one contiguous run of kernel_width · depth values that VDPBF16PS takes two at a time,
// matching ldk_pack_panels_bf16 (a pair may straddle two pixels; an odd run's last pair reads
// one value past the window, times a zero weight). A whole output row runs in full tiles with
// no edge cases. Bands are as tall as the scratch allows (ldk_direct_bf16_fits guarantees one
// output row's worth); each band is swept by every panel before the next.

/// Rounds input row `iy` of group `g` into a scratch row, zero-padded.
LDK_INLINE void LDK_NAME(direct_bf16_row)(const ldk_convolution *c, ptrdiff_t g, ptrdiff_t iy, uint16_t *row,
                                          ptrdiff_t row_values, ptrdiff_t first_column, ptrdiff_t image_columns) {
    const ptrdiff_t depth = c->input.channels / c->groups, ps = c->input.pixel_stride;
    if (iy < 0 || iy >= c->input.height || image_columns <= 0) {
        memset(row, 0, (size_t)row_values * sizeof *row);
        return;
    }
    memset(row, 0, (size_t)(first_column * depth) * sizeof *row);
    const float *source = c->input.base + iy * c->input.width * ps + g * depth;
    uint16_t *image = row + first_column * depth;
    if (ps == depth) {
        // A whole map of one group: the row's pixels are one run of floats.
        LDK_NAME(bf16_round)(source, image_columns * depth, image, image_columns * depth);
    } else {
        for (ptrdiff_t j = 0; j < image_columns; j++) LDK_NAME(bf16_round)(source + j * ps, depth, image + j * depth, depth);
    }
    const ptrdiff_t filled = (first_column + image_columns) * depth;
    memset(row + filled, 0, (size_t)(row_values - filled) * sizeof *row);
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(direct_bf16_with)(const ldk_convolution *c, const ldk_activation activation,
                                           ptrdiff_t row_begin, ptrdiff_t row_end, uint16_t *scratch) {
    const ptrdiff_t groups = c->groups, depth = c->input.channels / groups, group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t kh = c->kernel_height, kw = c->kernel_width, stride = c->stride;
    const ptrdiff_t row_pairs = (kw * depth + 1) / 2;
    const ptrdiff_t height = c->input.height, width = c->input.width;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t padded_width = (out_width - 1) * stride + kw;
    const ptrdiff_t row_values = ldk_direct_bf16_row_values(kw, stride, out_width, depth);
    // Image columns [0, width) sit at padded columns [pad_left, pad_left + width), clipped.
    const ptrdiff_t first_column = c->pad_left < padded_width ? c->pad_left : padded_width;
    const ptrdiff_t image_columns = width < padded_width - first_column ? width : padded_width - first_column;
    const ptrdiff_t band_input_rows = LDK_BF16_SCRATCH_VALUES / row_values;
    const ptrdiff_t band_rows = band_input_rows >= kh ? (band_input_rows - kh) / stride + 1 : 1;

    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t oy0 = row_begin; oy0 < row_end; oy0 += band_rows) {
            const ptrdiff_t oy1 = oy0 + band_rows < row_end ? oy0 + band_rows : row_end;
            const ptrdiff_t iy_first = oy0 * stride - c->pad_top, input_rows = (oy1 - 1 - oy0) * stride + kh;
            for (ptrdiff_t r = 0; r < input_rows; r++)
                LDK_NAME(direct_bf16_row)(c, g, iy_first + r, scratch + r * row_values, row_values, first_column,
                                          image_columns);
            for (ptrdiff_t p = 0; p < panels; p++) {
                const ptrdiff_t column = g * group_outputs + p * LDK_PANEL_WIDTH;
                const ptrdiff_t columns = group_outputs - p * LDK_PANEL_WIDTH;
                const uint16_t *weights = c->packed_bf16_weights + (g * panels + p) * kh * row_pairs * 2 * LDK_PANEL_WIDTH;
                const float *bias = c->packed_bias + (g * panels + p) * LDK_PANEL_WIDTH;
                const int vectors = columns <= LDK_LANES ? 1 : LDK_TILE_VECTORS;
                for (ptrdiff_t oy = oy0; oy < oy1; oy++) {
                    // Kernel rows over zero rows add nothing: skip them.
                    const ptrdiff_t iy0 = oy * stride - c->pad_top;
                    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0, ky1 = height - iy0 < kh ? height - iy0 : kh;
                    const uint16_t *window_rows = scratch + (oy - oy0) * stride * row_values;
                    float *out = c->output.base + oy * out_width * out_ps + column;
                    const float *res = c->residual.base ? c->residual.base + oy * out_width * res_ps + column : NULL;
#define LDK_DIRECT_BF16_TILE(rows, vectors)                                                                               \
    do {                                                                                                                  \
        ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];                                                                      \
        LDK_NAME(tile_start)(rows, vectors, sum, bias);                                                                   \
        for (ptrdiff_t ky = ky0; ky < ky1; ky++)                                                                          \
            LDK_NAME(tile_accumulate_bf16)(rows, vectors, sum, window_rows + ky * row_values + ox * stride * depth,       \
                                           stride * depth, weights + ky * row_pairs * 2 * LDK_PANEL_WIDTH, row_pairs);    \
        LDK_NAME(tile_store)(rows, vectors, sum, out + ox * out_ps, out_ps, res ? res + ox * res_ps : NULL, res_ps,       \
                             columns, activation);                                                                        \
    } while (0)
#define LDK_DIRECT_BF16_ROW(vectors)                                                                                      \
    do {                                                                                                                  \
        ptrdiff_t ox = 0;                                                                                                 \
        for (; ox + LDK_TILE_ROWS <= out_width; ox += LDK_TILE_ROWS) LDK_DIRECT_BF16_TILE(LDK_TILE_ROWS, vectors);        \
        if ((out_width - ox) & 4) { LDK_DIRECT_BF16_TILE(4, vectors); ox += 4; }                                          \
        if ((out_width - ox) & 2) { LDK_DIRECT_BF16_TILE(2, vectors); ox += 2; }                                          \
        if ((out_width - ox) & 1) { LDK_DIRECT_BF16_TILE(1, vectors); ox += 1; }                                          \
    } while (0)
                    if (vectors == 1)
                        LDK_DIRECT_BF16_ROW(1);
                    else
                        LDK_DIRECT_BF16_ROW(LDK_TILE_VECTORS);
#undef LDK_DIRECT_BF16_ROW
#undef LDK_DIRECT_BF16_TILE
                }
            }
        }
    }
}

/// The scratch lives here, once per call (not in each inlined copy per activation).
LDK_TARGET void LDK_NAME(direct)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end) {
    _Alignas(64) uint16_t scratch[LDK_BF16_SCRATCH_VALUES];
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(direct_bf16_with), c, row_begin, row_end, scratch);
}
