// Direct convolution for every shape without a specialised kernel (the stems, full 3×3 convs),
// written once against the vector vocabulary (vector_<isa>.h).
//
// Output channels are the vector dimension, as in the GEMM: a tile is up to LDK_TILE_ROWS
// neighbouring output pixels of one row × one pass of a 32-channel weight panel, and each
// (tap, input channel) step broadcasts one input value per pixel against the tap's weight
// vectors. Nothing is copied into an im2col buffer. A row's kernel rows are clipped once for
// the whole row; pixels whose window crosses the left or right edge run one at a time with
// their kernel columns clipped, the rest in full tiles without a branch per tap.

/// One tile: `rows` (a constant after inlining) output pixels, `stride` input columns apart,
/// whose windows all span kernel rows [ky0, ky1) and kernel columns [kx0, kx1).
///
/// - input: the group's first input channel at image row `iy0`, column `ix0` of the first
///   pixel's window (as an offset: the corner itself may lie outside the image).
/// - weights: the pass's first column of the panel, laid out [tap][depth][LDK_PANEL_WIDTH].
LDK_INLINE void LDK_NAME(direct_tile)(
    const int rows, const float *input, ptrdiff_t row_floats, ptrdiff_t pixel_stride, ptrdiff_t iy0, ptrdiff_t ix0,
    ptrdiff_t stride, ptrdiff_t ky0, ptrdiff_t ky1, ptrdiff_t kx0, ptrdiff_t kx1, ptrdiff_t kernel_width,
    ptrdiff_t depth, const float *weights, const float *bias, float *output, ptrdiff_t output_stride,
    const float *residual, ptrdiff_t residual_stride, ptrdiff_t columns, ldk_activation activation) {
    ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
    for (int v = 0; v < LDK_TILE_VECTORS; v++) {
        ldk_vf b = vf_load(bias + v * LDK_LANES);
        for (int r = 0; r < rows; r++) sum[r][v] = b;
    }
    const ptrdiff_t pixel_step = stride * pixel_stride;
    for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
        const float *row = input + (iy0 + ky) * row_floats;
        for (ptrdiff_t kx = kx0; kx < kx1; kx++) {
            const float *x = row + (ix0 + kx) * pixel_stride;
            const float *w = weights + (ky * kernel_width + kx) * depth * LDK_PANEL_WIDTH;
            for (ptrdiff_t k = 0; k < depth; k++) {
                ldk_vf wv[LDK_TILE_VECTORS];
                for (int v = 0; v < LDK_TILE_VECTORS; v++) wv[v] = vf_load(w + k * LDK_PANEL_WIDTH + v * LDK_LANES);
                for (int r = 0; r < rows; r++) {
                    ldk_vf value = vf_set1(x[r * pixel_step + k]);
                    for (int v = 0; v < LDK_TILE_VECTORS; v++) sum[r][v] = vf_fmadd(value, wv[v], sum[r][v]);
                }
            }
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

LDK_TARGET void LDK_NAME(direct)(const ldk_convolution *c) {
    const ptrdiff_t groups = c->groups, depth = c->input.channels / groups, group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t kh = c->kernel_height, kw = c->kernel_width, stride = c->stride, taps = kh * kw;
    const ptrdiff_t height = c->input.height, width = c->input.width, ps = c->input.pixel_stride;
    const ptrdiff_t row_floats = width * ps;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    // Output columns whose whole window lies inside the input (see depthwise_body.h).
    ptrdiff_t ox_interior0 = (c->pad_left + stride - 1) / stride;
    ptrdiff_t ox_interior1 = width - kw + c->pad_left >= 0 ? (width - kw + c->pad_left) / stride + 1 : 0;
    if (ox_interior1 > out_width) ox_interior1 = out_width;
    if (ox_interior0 >= ox_interior1) ox_interior0 = ox_interior1 = out_width;

    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t p = 0; p < panels; p++) {
            for (ptrdiff_t pass = 0; pass < LDK_PANEL_WIDTH; pass += LDK_PASS_WIDTH) {
                const ptrdiff_t column = p * LDK_PANEL_WIDTH + pass;
                const ptrdiff_t columns = group_outputs - column;
                if (columns <= 0) break;
                const float *w = c->packed_weights + (g * panels + p) * taps * depth * LDK_PANEL_WIDTH + pass;
                const float *bias = c->packed_bias + (g * panels + p) * LDK_PANEL_WIDTH + pass;
                const float *input = c->input.base + g * depth;
                for (ptrdiff_t oy = 0; oy < c->output.height; oy++) {
                    const ptrdiff_t iy0 = oy * stride - c->pad_top;
                    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0;
                    const ptrdiff_t ky1 = height - iy0 < kh ? height - iy0 : kh;
                    float *out = c->output.base + oy * out_width * out_ps + g * group_outputs + column;
                    const float *res =
                        c->residual.base ? c->residual.base + oy * out_width * res_ps + g * group_outputs + column : NULL;
#define LDK_DIRECT_TILE(rows, kx0, kx1)                                                                              \
    LDK_NAME(direct_tile)(rows, input, row_floats, ps, iy0, ox * stride - c->pad_left, stride, ky0, ky1, kx0, kx1, kw, \
                          depth, w, bias, out + ox * out_ps, out_ps, res ? res + ox * res_ps : NULL, res_ps, columns, \
                          c->activation)
                    ptrdiff_t ox = 0;
                    for (; ox < ox_interior0; ox++) {
                        const ptrdiff_t ix0 = ox * stride - c->pad_left;
                        LDK_DIRECT_TILE(1, ix0 < 0 ? -ix0 : 0, width - ix0 < kw ? width - ix0 : kw);
                    }
                    for (; ox + LDK_TILE_ROWS <= ox_interior1; ox += LDK_TILE_ROWS) LDK_DIRECT_TILE(LDK_TILE_ROWS, 0, kw);
                    if ((ox_interior1 - ox) & 4) { LDK_DIRECT_TILE(4, 0, kw); ox += 4; }
                    if ((ox_interior1 - ox) & 2) { LDK_DIRECT_TILE(2, 0, kw); ox += 2; }
                    if ((ox_interior1 - ox) & 1) { LDK_DIRECT_TILE(1, 0, kw); ox += 1; }
                    for (; ox < out_width; ox++) {
                        const ptrdiff_t ix0 = ox * stride - c->pad_left;
                        LDK_DIRECT_TILE(1, ix0 < 0 ? -ix0 : 0, width - ix0 < kw ? width - ix0 : kw);
                    }
#undef LDK_DIRECT_TILE
                }
            }
        }
    }
}
