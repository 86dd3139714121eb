// 1×1 convolution as a GEMM, written once against the vector vocabulary (vector_<isa>.h).
//
// Per group: C[pixels × out/g] = A[pixels × in/g] · W[in/g × out/g] + bias, where rows of A and C
// are pixels (pixel_stride apart, so channel-slice views work) and W comes in 32-column panels
// (ldk_pack_panels). Tiles (tile_body.h) of LDK_TILE_ROWS pixels × one pass of a panel
// (LDK_PASS_WIDTH channels, or one vector where fewer channels are left) sweep each chunk of
// pixels, panel by panel.

// How many input floats a chunk keeps hot in L2 while every panel of W streams past it, and
// below how many weight floats W itself stays in L2 instead: ldk_cache_blocking(), from the
// CPU's L2 size.
/// Pixels per chunk when the weights are small: every panel of a few tiles is done before moving
/// on, so each output pixel is written whole, once, instead of one panel-wide strip per sweep.
#define LDK_POINTWISE_SMALL_WEIGHT_CHUNK (4 * LDK_TILE_ROWS)

/// One tile: `rows` pixels × `vectors` vectors of one pass of a panel (constants after inlining).
///
/// - a: the tile's first pixel, first input channel of the group; rows `a_stride` floats apart.
/// - weights: the pass's first column in the panel, input channels LDK_PANEL_WIDTH floats apart.
/// - output, residual: the tile's first pixel and column, rows `*_stride` apart.
/// - columns: output channels of this pass that exist (the panel is zero-padded past them).
LDK_INLINE void LDK_NAME(pointwise_tile)(const int rows, const int vectors, const float *a, ptrdiff_t a_stride,
                                         ptrdiff_t depth, const float *weights, const float *bias, float *output,
                                         ptrdiff_t output_stride, const float *residual, ptrdiff_t residual_stride,
                                         ptrdiff_t columns, ldk_activation activation) {
    ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
    LDK_NAME(tile_start)(rows, vectors, sum, bias);
    LDK_NAME(tile_accumulate)(rows, vectors, sum, a, a_stride, weights, depth);
    LDK_NAME(tile_store)(rows, vectors, sum, output, output_stride, residual, residual_stride, columns, activation);
}

/// All pixels [m, m1) of one pass, `vectors` (a constant after inlining) vectors wide.
LDK_INLINE void LDK_NAME(pointwise_pass)(const int vectors, ptrdiff_t m, ptrdiff_t m1, const float *a,
                                         ptrdiff_t a_stride, ptrdiff_t depth, const float *weights, const float *bias,
                                         float *output, ptrdiff_t output_stride, const float *residual,
                                         ptrdiff_t residual_stride, ptrdiff_t columns, ldk_activation activation) {
#define LDK_POINTWISE_TILE(rows)                                                                                       \
    LDK_NAME(pointwise_tile)                                                                                           \
    (rows, vectors, a + m * a_stride, a_stride, depth, weights, bias, output + m * output_stride, output_stride,       \
     residual ? residual + m * residual_stride : NULL, residual_stride, columns, activation)
    for (; m + LDK_TILE_ROWS <= m1; m += LDK_TILE_ROWS) LDK_POINTWISE_TILE(LDK_TILE_ROWS);
    // Fewer than LDK_TILE_ROWS (≤ 8) pixels left: one tile per set bit.
    if ((m1 - m) & 4) {
        LDK_POINTWISE_TILE(4);
        m += 4;
    }
    if ((m1 - m) & 2) {
        LDK_POINTWISE_TILE(2);
        m += 2;
    }
    if ((m1 - m) & 1) {
        LDK_POINTWISE_TILE(1);
        m += 1;
    }
#undef LDK_POINTWISE_TILE
}

/// Pixels [pixel_begin, pixel_end) × panels [panel_begin, panel_end) of the GEMM, with
/// `activation` a constant after inlining. Panels are numbered across groups (group g's panel p
/// is g · panels per group + p), so a thread can take a share of the output channels instead of
/// a share of the pixels.
LDK_INLINE void LDK_NAME(pointwise_with)(const ldk_convolution *c, const ldk_activation activation,
                                         ptrdiff_t pixel_begin, ptrdiff_t pixel_end, ptrdiff_t panel_begin,
                                         ptrdiff_t panel_end) {
    const ptrdiff_t groups = c->groups;
    const ptrdiff_t depth = c->input.channels / groups;
    const ptrdiff_t group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t in_stride = c->input.pixel_stride, out_stride = c->output.pixel_stride;
    const ptrdiff_t res_stride = c->residual.pixel_stride;
    // The weights this call streams: its share of the panels (all of a group's when it spans
    // groups, as one chunk of pixels visits them group by group).
    const ptrdiff_t streamed_panels = panel_end - panel_begin < panels ? panel_end - panel_begin : panels;
    const ldk_blocking *blocking = ldk_cache_blocking();
    ptrdiff_t chunk = blocking->chunk_floats / (depth > 0 ? depth : 1) / LDK_TILE_ROWS * LDK_TILE_ROWS;
    if (depth * streamed_panels * LDK_PANEL_WIDTH <= blocking->small_weight_floats)
        chunk = LDK_POINTWISE_SMALL_WEIGHT_CHUNK;
    if (chunk < LDK_TILE_ROWS) chunk = LDK_TILE_ROWS;

    for (ptrdiff_t m0 = pixel_begin; m0 < pixel_end; m0 += chunk) {
        const ptrdiff_t m1 = m0 + chunk < pixel_end ? m0 + chunk : pixel_end;
        for (ptrdiff_t gp = panel_begin; gp < panel_end; gp++) {
            const ptrdiff_t g = gp / panels, p = gp % panels;
            for (ptrdiff_t pass = 0; pass < LDK_PANEL_WIDTH; pass += LDK_PASS_WIDTH) {
                const ptrdiff_t column = p * LDK_PANEL_WIDTH + pass;
                const ptrdiff_t columns = group_outputs - column;
                if (columns <= 0) break;
                const float *w = c->packed_weights + gp * depth * LDK_PANEL_WIDTH + pass;
                const float *bias = c->packed_bias + gp * LDK_PANEL_WIDTH + pass;
                const float *a = c->input.base + g * depth;
                float *out = c->output.base + g * group_outputs + column;
                const float *res = c->residual.base ? c->residual.base + g * group_outputs + column : NULL;
                // A pass with at most one vector of channels left computes just that vector.
                if (columns <= LDK_LANES) LDK_NAME(pointwise_pass)
                (1, m0, m1, a, in_stride, depth, w, bias, out, out_stride, res, res_stride, columns, activation);
                else LDK_NAME(pointwise_pass)(LDK_TILE_VECTORS, m0, m1, a, in_stride, depth, w, bias, out, out_stride,
                                              res, res_stride, columns, activation);
            }
        }
    }
}

/// Needs no workspace: `scratch` is unused.
LDK_TARGET void LDK_NAME(pointwise_block)(const ldk_convolution *c, ptrdiff_t pixel_begin, ptrdiff_t pixel_end,
                                          ptrdiff_t panel_begin, ptrdiff_t panel_end, void *scratch) {
    (void)scratch;
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(pointwise_with), c, pixel_begin, pixel_end, panel_begin, panel_end);
}

LDK_TARGET void LDK_NAME(pointwise)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    LDK_NAME(pointwise_block)(c, row_begin * c->input.width, row_end * c->input.width, 0, ldk_panel_count(c), scratch);
}
