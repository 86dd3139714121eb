// 1×1 convolution as a GEMM, written once against the vector vocabulary (vector_<isa>.h).
//
// Per group: C[pixels × out/g] = A[pixels × in/g] · W[in/g × out/g] + bias, where rows of A and C
// are pixels (pixel_stride apart, so channel-slice views work) and W comes in 32-column panels
// (ldk_pack_panels). A tile is LDK_TILE_ROWS pixels × LDK_PASS_WIDTH output channels held in
// registers: per input channel it loads LDK_TILE_VECTORS weight vectors once and broadcasts
// one input value per pixel.

/// Input channels × pixels of A kept hot (in L2) while every panel of W streams past it.
#define LDK_POINTWISE_CHUNK_FLOATS (64 * 1024)

/// One tile: `rows` (a constant after inlining) pixels × one pass of a panel.
///
/// - a: the tile's first pixel, first input channel of the group; rows `a_stride` floats apart.
/// - weights: the pass's first column in the panel, input channels LDK_PANEL_WIDTH floats apart.
/// - output, residual: the tile's first pixel and column, rows `*_stride` apart.
/// - columns: output channels of this pass that exist (the panel is zero-padded past them).
LDK_INLINE void LDK_NAME(pointwise_tile)(
    const int rows, const float *a, ptrdiff_t a_stride, ptrdiff_t depth, const float *weights, const float *bias,
    float *output, ptrdiff_t output_stride, const float *residual, ptrdiff_t residual_stride, ptrdiff_t columns,
    ldk_activation activation) {
    ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
    for (int v = 0; v < LDK_TILE_VECTORS; v++) {
        ldk_vf b = vf_load(bias + v * LDK_LANES);
        for (int r = 0; r < rows; r++) sum[r][v] = b;
    }
    for (ptrdiff_t k = 0; k < depth; k++) {
        ldk_vf w[LDK_TILE_VECTORS];
        for (int v = 0; v < LDK_TILE_VECTORS; v++) w[v] = vf_load(weights + k * LDK_PANEL_WIDTH + v * LDK_LANES);
        for (int r = 0; r < rows; r++) {
            ldk_vf x = vf_set1(a[r * a_stride + k]);
            for (int v = 0; v < LDK_TILE_VECTORS; v++) sum[r][v] = vf_fmadd(x, w[v], sum[r][v]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < LDK_TILE_VECTORS; v++) {
            ptrdiff_t count = columns - v * LDK_LANES;
            if (count <= 0) break;
            ldk_store(output + r * output_stride + v * LDK_LANES,
                      residual ? residual + r * residual_stride + v * LDK_LANES : NULL, sum[r][v], activation, count);
        }
    }
}

LDK_TARGET void LDK_NAME(pointwise)(const ldk_convolution *c) {
    const ptrdiff_t pixels = c->input.height * c->input.width;
    const ptrdiff_t groups = c->groups;
    const ptrdiff_t depth = c->input.channels / groups;
    const ptrdiff_t group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t in_stride = c->input.pixel_stride, out_stride = c->output.pixel_stride;
    const ptrdiff_t res_stride = c->residual.pixel_stride;
    ptrdiff_t chunk = LDK_POINTWISE_CHUNK_FLOATS / depth / LDK_TILE_ROWS * LDK_TILE_ROWS;
    if (chunk < LDK_TILE_ROWS) chunk = LDK_TILE_ROWS;

    for (ptrdiff_t m0 = 0; m0 < pixels; m0 += chunk) {
        const ptrdiff_t m1 = m0 + chunk < pixels ? m0 + chunk : pixels;
        for (ptrdiff_t g = 0; g < groups; g++) {
            for (ptrdiff_t p = 0; p < panels; p++) {
                for (ptrdiff_t pass = 0; pass < LDK_PANEL_WIDTH; pass += LDK_PASS_WIDTH) {
                    const ptrdiff_t column = p * LDK_PANEL_WIDTH + pass;
                    const ptrdiff_t columns = group_outputs - column;
                    if (columns <= 0) break;
                    const float *w = c->packed_weights + (g * panels + p) * depth * LDK_PANEL_WIDTH + pass;
                    const float *bias = c->packed_bias + (g * panels + p) * LDK_PANEL_WIDTH + pass;
                    const float *a = c->input.base + g * depth;
                    float *out = c->output.base + g * group_outputs + column;
                    const float *res = c->residual.base ? c->residual.base + g * group_outputs + column : NULL;
#define LDK_POINTWISE_TILE(rows)                                                                                  \
    LDK_NAME(pointwise_tile)(rows, a + m * in_stride, in_stride, depth, w, bias, out + m * out_stride, out_stride, \
                             res ? res + m * res_stride : NULL, res_stride, columns, c->activation)
                    ptrdiff_t m = m0;
                    for (; m + LDK_TILE_ROWS <= m1; m += LDK_TILE_ROWS) LDK_POINTWISE_TILE(LDK_TILE_ROWS);
                    // Fewer than LDK_TILE_ROWS (≤ 8) pixels left: one tile per set bit.
                    if ((m1 - m) & 4) { LDK_POINTWISE_TILE(4); m += 4; }
                    if ((m1 - m) & 2) { LDK_POINTWISE_TILE(2); m += 2; }
                    if ((m1 - m) & 1) { LDK_POINTWISE_TILE(1); m += 1; }
#undef LDK_POINTWISE_TILE
                }
            }
        }
    }
}
