// The 1×1 GEMM of pointwise_body.h in bfloat16 (LDK_KERNEL_POINTWISE_BF16): the same chunks of
// pixels, panels and tiles, with each chunk's input channels of one group rounded to bfloat16
// into the scratch once, before its panels sweep it.

/// All pixels [m, m1) of one panel, `vectors` (a constant after inlining) vectors wide; `a` is
/// the scratch row of pixel m0.
LDK_INLINE void LDK_NAME(pointwise_bf16_panel)(const int vectors, ptrdiff_t m, ptrdiff_t m1, ptrdiff_t m0,
                                               const uint16_t *a, ptrdiff_t even_depth, const uint16_t *weights,
                                               const float *bias, float *output, ptrdiff_t output_stride,
                                               const float *residual, ptrdiff_t residual_stride, ptrdiff_t columns,
                                               ldk_activation activation) {
#define LDK_POINTWISE_BF16_TILE(rows)                                                                                  \
    do {                                                                                                               \
        ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];                                                                   \
        LDK_NAME(tile_start)(rows, vectors, sum, bias);                                                                \
        LDK_NAME(tile_accumulate_bf16)                                                                                 \
        (rows, vectors, sum, a + (m - m0) * even_depth, even_depth, weights, even_depth / 2);                          \
        LDK_NAME(tile_store)                                                                                           \
        (rows, vectors, sum, output + m * output_stride, output_stride,                                                \
         residual ? residual + m * residual_stride : NULL, residual_stride, columns, activation);                      \
    } while (0)
    for (; m + LDK_TILE_ROWS <= m1; m += LDK_TILE_ROWS) LDK_POINTWISE_BF16_TILE(LDK_TILE_ROWS);
    if ((m1 - m) & 4) {
        LDK_POINTWISE_BF16_TILE(4);
        m += 4;
    }
    if ((m1 - m) & 2) {
        LDK_POINTWISE_BF16_TILE(2);
        m += 2;
    }
    if ((m1 - m) & 1) {
        LDK_POINTWISE_BF16_TILE(1);
        m += 1;
    }
#undef LDK_POINTWISE_BF16_TILE
}

/// Pixels [pixel_begin, pixel_end) × panels [panel_begin, panel_end) (numbered across groups, as
/// in pointwise_body.h), with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(pointwise_bf16_with)(const ldk_convolution *c, const ldk_activation activation,
                                              ptrdiff_t pixel_begin, ptrdiff_t pixel_end, ptrdiff_t panel_begin,
                                              ptrdiff_t panel_end, uint16_t *scratch) {
    const ptrdiff_t groups = c->groups;
    const ptrdiff_t depth = c->input.channels / groups, even_depth = (depth + 1) / 2 * 2;
    const ptrdiff_t group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t in_stride = c->input.pixel_stride, out_stride = c->output.pixel_stride;
    const ptrdiff_t res_stride = c->residual.pixel_stride;
    const ptrdiff_t streamed_panels = panel_end - panel_begin < panels ? panel_end - panel_begin : panels;
    ptrdiff_t chunk = LDK_BF16_SCRATCH_VALUES / even_depth / LDK_TILE_ROWS * LDK_TILE_ROWS;
    // Weights small enough to stay in L2 (bfloat16 values take half a float's bytes).
    if (even_depth * streamed_panels * LDK_PANEL_WIDTH <= 2 * ldk_cache_blocking()->small_weight_floats &&
        chunk > 4 * LDK_TILE_ROWS)
        chunk = 4 * LDK_TILE_ROWS;

    for (ptrdiff_t m0 = pixel_begin; m0 < pixel_end; m0 += chunk) {
        const ptrdiff_t m1 = m0 + chunk < pixel_end ? m0 + chunk : pixel_end;
        ptrdiff_t rounded_group = -1;
        for (ptrdiff_t gp = panel_begin; gp < panel_end; gp++) {
            const ptrdiff_t g = gp / panels, p = gp % panels;
            if (g != rounded_group) {
                for (ptrdiff_t m = m0; m < m1; m++) LDK_NAME(bf16_round)
                (c->input.base + m * in_stride + g * depth, depth, scratch + (m - m0) * even_depth, even_depth);
                rounded_group = g;
            }
            const ptrdiff_t column = p * LDK_PANEL_WIDTH, columns = group_outputs - column;
            const uint16_t *w = c->packed_bf16_weights + gp * even_depth * LDK_PANEL_WIDTH;
            const float *bias = c->packed_bias + gp * LDK_PANEL_WIDTH;
            float *out = c->output.base + g * group_outputs + column;
            const float *res = c->residual.base ? c->residual.base + g * group_outputs + column : NULL;
            if (columns <= LDK_LANES) LDK_NAME(pointwise_bf16_panel)
            (1, m0, m1, m0, scratch, even_depth, w, bias, out, out_stride, res, res_stride, columns, activation);
            else LDK_NAME(pointwise_bf16_panel)(LDK_TILE_VECTORS, m0, m1, m0, scratch, even_depth, w, bias, out,
                                                out_stride, res, res_stride, columns, activation);
        }
    }
}

/// `scratch` is the thread's workspace slot: LDK_BF16_SCRATCH_VALUES bfloat16 values.
LDK_TARGET void LDK_NAME(pointwise_block)(const ldk_convolution *c, ptrdiff_t pixel_begin, ptrdiff_t pixel_end,
                                          ptrdiff_t panel_begin, ptrdiff_t panel_end, void *scratch) {
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(pointwise_bf16_with), c, pixel_begin, pixel_end, panel_begin, panel_end,
                                 scratch);
}

LDK_TARGET void LDK_NAME(pointwise)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    LDK_NAME(pointwise_block)(c, row_begin * c->input.width, row_end * c->input.width, 0, ldk_panel_count(c), scratch);
}
