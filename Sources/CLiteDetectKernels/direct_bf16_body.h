// The direct convolution of direct_body.h in bfloat16 (LDK_KERNEL_DIRECT_BF16).
//
// A band of input rows of one group is rounded to bfloat16 into a zero-padded copy: zero
// columns to the left and right, as far as the widest window reaches, and zero rows above and
// below the image. Every output pixel is then an interior one, and each kernel row of a window
// is one contiguous run of kernel_width · depth values that VDPBF16PS takes two at a time,
// matching ldk_pack_panels_bf16 (a pair may straddle two pixels; an odd run's last pair reads
// one value past the window, times a zero weight). Output pixels run in full tiles with no edge
// cases, row after row. Bands are as tall as the scratch allows (ldk_direct_bf16_fits guarantees one
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
        for (ptrdiff_t j = 0; j < image_columns; j++)
            LDK_NAME(bf16_round)(source + j * ps, depth, image + j * depth, depth);
    }
    const ptrdiff_t filled = (first_column + image_columns) * depth;
    memset(row + filled, 0, (size_t)(row_values - filled) * sizeof *row);
}

/// What every band and panel of one call shares.
typedef struct {
    const ldk_convolution *c;
    uint16_t *scratch;
    ptrdiff_t depth, group_outputs, panels, row_pairs, row_values, first_column, image_columns;
} LDK_NAME(direct_bf16_plan);

/// Rounds the input rows of output rows [oy0, oy1) of group g into the scratch.
LDK_INLINE void LDK_NAME(direct_bf16_round_band)(const LDK_NAME(direct_bf16_plan) * plan, ptrdiff_t g, ptrdiff_t oy0,
                                                 ptrdiff_t oy1) {
    const ldk_convolution *c = plan->c;
    const ptrdiff_t iy_first = oy0 * c->stride - c->pad_top,
                    input_rows = (oy1 - 1 - oy0) * c->stride + c->kernel_height;
    for (ptrdiff_t r = 0; r < input_rows; r++) LDK_NAME(direct_bf16_row)
    (c, g, iy_first + r, plan->scratch + r * plan->row_values, plan->row_values, plan->first_column,
     plan->image_columns);
}

/// Output rows [oy0, oy1) (their inputs rounded into the scratch) × panel p of group g.
LDK_INLINE void LDK_NAME(direct_bf16_panel_band)(const LDK_NAME(direct_bf16_plan) * plan,
                                                 const ldk_activation activation, ptrdiff_t g, ptrdiff_t p,
                                                 ptrdiff_t oy0, ptrdiff_t oy1) {
    const ldk_convolution *c = plan->c;
    const uint16_t *scratch = plan->scratch;
    const ptrdiff_t depth = plan->depth, row_pairs = plan->row_pairs, row_values = plan->row_values;
    const ptrdiff_t kh = c->kernel_height, stride = c->stride, height = c->input.height;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t column = g * plan->group_outputs + p * LDK_PANEL_WIDTH;
    const ptrdiff_t columns = plan->group_outputs - p * LDK_PANEL_WIDTH;
    const uint16_t *weights = c->packed_bf16_weights + (g * plan->panels + p) * kh * row_pairs * 2 * LDK_PANEL_WIDTH;
    const float *bias = c->packed_bias + (g * plan->panels + p) * LDK_PANEL_WIDTH;
    const int vectors = columns <= LDK_LANES ? 1 : LDK_TILE_VECTORS;
    // Consecutive output rows whose windows clip the same kernel rows (all the interior
    // ones) run as one row-major list of pixels in full tiles: a tile may run on into the
    // next row, so narrow maps (5×5, 10×10) still fill the register tile. Outputs stay one
    // pixel stride apart across rows; inputs do not, so each pixel brings its own pointer.
    for (ptrdiff_t oy = oy0; oy < oy1;) {
        const ptrdiff_t iy0 = oy * stride - c->pad_top;
        // Kernel rows over zero rows add nothing: skip them.
        const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0, ky1 = height - iy0 < kh ? height - iy0 : kh;
        ptrdiff_t rows_end = oy + 1;
        while (rows_end < oy1) {
            const ptrdiff_t next = rows_end * stride - c->pad_top;
            if ((next < 0 ? -next : 0) != ky0 || (height - next < kh ? height - next : kh) != ky1) break;
            rows_end++;
        }
        const ptrdiff_t pixels = (rows_end - oy) * out_width;
        float *out = c->output.base + oy * out_width * out_ps + column;
        const float *res = c->residual.base ? c->residual.base + oy * out_width * res_ps + column : NULL;
#define LDK_DIRECT_BF16_TILE(rows, vectors)                                                                            \
    do {                                                                                                               \
        const uint16_t *x[LDK_TILE_ROWS];                                                                              \
        for (int r = 0; r < (rows); r++) {                                                                             \
            const ptrdiff_t y = (q + r) / out_width, ox = (q + r) % out_width;                                         \
            x[r] = scratch + (oy - oy0 + y) * stride * row_values + ox * stride * depth;                               \
        }                                                                                                              \
        ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];                                                                   \
        LDK_NAME(tile_start)(rows, vectors, sum, bias);                                                                \
        for (ptrdiff_t ky = ky0; ky < ky1; ky++) {                                                                     \
            const uint16_t *xk[LDK_TILE_ROWS];                                                                         \
            for (int r = 0; r < (rows); r++) xk[r] = x[r] + ky * row_values;                                           \
            LDK_NAME(tile_accumulate_bf16_gather)                                                                      \
            (rows, vectors, sum, xk, weights + ky * row_pairs * 2 * LDK_PANEL_WIDTH, row_pairs);                       \
        }                                                                                                              \
        LDK_NAME(tile_store)                                                                                           \
        (rows, vectors, sum, out + q * out_ps, out_ps, res ? res + q * res_ps : NULL, res_ps, columns, activation);    \
    } while (0)
#define LDK_DIRECT_BF16_PIXELS(vectors)                                                                                \
    do {                                                                                                               \
        ptrdiff_t q = 0;                                                                                               \
        for (; q + LDK_TILE_ROWS <= pixels; q += LDK_TILE_ROWS) LDK_DIRECT_BF16_TILE(LDK_TILE_ROWS, vectors);          \
        if ((pixels - q) & 4) {                                                                                        \
            LDK_DIRECT_BF16_TILE(4, vectors);                                                                          \
            q += 4;                                                                                                    \
        }                                                                                                              \
        if ((pixels - q) & 2) {                                                                                        \
            LDK_DIRECT_BF16_TILE(2, vectors);                                                                          \
            q += 2;                                                                                                    \
        }                                                                                                              \
        if ((pixels - q) & 1) {                                                                                        \
            LDK_DIRECT_BF16_TILE(1, vectors);                                                                          \
            q += 1;                                                                                                    \
        }                                                                                                              \
    } while (0)
        if (vectors == 1)
            LDK_DIRECT_BF16_PIXELS(1);
        else
            LDK_DIRECT_BF16_PIXELS(LDK_TILE_VECTORS);
#undef LDK_DIRECT_BF16_PIXELS
#undef LDK_DIRECT_BF16_TILE
        oy = rows_end;
    }
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(direct_bf16_with)(const ldk_convolution *c, const ldk_activation activation,
                                           ptrdiff_t row_begin, ptrdiff_t row_end, uint16_t *scratch) {
    const ptrdiff_t groups = c->groups, depth = c->input.channels / groups, group_outputs = c->output.channels / groups;
    const ptrdiff_t kw = c->kernel_width, kh = c->kernel_height, stride = c->stride, out_width = c->output.width;
    const ptrdiff_t padded_width = (out_width - 1) * stride + kw;
    // Image columns [0, width) sit at padded columns [pad_left, pad_left + width), clipped.
    const ptrdiff_t first_column = c->pad_left < padded_width ? c->pad_left : padded_width;
    const LDK_NAME(direct_bf16_plan) plan = {
        .c = c,
        .scratch = scratch,
        .depth = depth,
        .group_outputs = group_outputs,
        .panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH,
        .row_pairs = (kw * depth + 1) / 2,
        .row_values = ldk_direct_bf16_row_values(kw, stride, out_width, depth),
        .first_column = first_column,
        .image_columns = c->input.width < padded_width - first_column ? c->input.width : padded_width - first_column,
    };
    const ptrdiff_t band_input_rows = LDK_BF16_SCRATCH_VALUES / plan.row_values;
    const ptrdiff_t band_rows = band_input_rows >= kh ? (band_input_rows - kh) / stride + 1 : 1;
    // Each band is rounded once and swept by every panel. (Sweeping every band per panel instead,
    // so that weights larger than the L2 stream once, was measured on the COCO model's 12.6 MB
    // predictor: no faster on Zen 4, whose kernel is bound by VDPBF16PS, not by the weights.)
    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t oy0 = row_begin; oy0 < row_end; oy0 += band_rows) {
            const ptrdiff_t oy1 = oy0 + band_rows < row_end ? oy0 + band_rows : row_end;
            LDK_NAME(direct_bf16_round_band)(&plan, g, oy0, oy1);
            for (ptrdiff_t p = 0; p < plan.panels; p++)
                LDK_NAME(direct_bf16_panel_band)(&plan, activation, g, p, oy0, oy1);
        }
    }
}

/// `scratch` is the thread's workspace slot: LDK_BF16_SCRATCH_VALUES bfloat16 values.
LDK_TARGET void LDK_NAME(direct)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(direct_bf16_with), c, row_begin, row_end, scratch);
}
