// Direct convolution for every shape without a specialised kernel (the stems, full 3×3 convs),
// written once against the vector vocabulary (vector_<isa>.h).
//
// Output channels are the vector dimension, as in the GEMM: a tile (tile_body.h) is up to
// LDK_TILE_ROWS neighbouring output pixels of one row × one pass of a 32-channel weight panel,
// and each (tap, input channel) step broadcasts one input value per pixel against the tap's
// weight vectors. Nothing is copied into an im2col buffer. A row's kernel rows are clipped once
// for the whole row; pixels whose window crosses the left or right edge run one at a time with
// their kernel columns clipped, the rest in full tiles without a branch per tap.

/// One tile: `rows` output pixels, `stride` input columns apart, whose windows all span kernel
/// rows [ky0, ky1) and kernel columns [kx0, kx1); `rows` and `vectors` are constants after inlining.
///
/// - input: the group's first input channel; the first pixel's window has its top-left corner
///   at image row `iy0`, column `ix0` (possibly outside the image; only taps inside are read).
/// - weights: the pass's first column of the panel, laid out [tap][depth][LDK_PANEL_WIDTH].
LDK_INLINE void LDK_NAME(direct_tile)(
    const int rows, const int vectors, const float *input, ptrdiff_t row_floats, ptrdiff_t pixel_stride,
    ptrdiff_t iy0, ptrdiff_t ix0, ptrdiff_t stride, ptrdiff_t ky0, ptrdiff_t ky1, ptrdiff_t kx0, ptrdiff_t kx1,
    ptrdiff_t kernel_width, ptrdiff_t depth, const float *weights, const float *bias, float *output,
    ptrdiff_t output_stride, const float *residual, ptrdiff_t residual_stride, ptrdiff_t columns,
    ldk_activation activation) {
    ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
    LDK_NAME(tile_start)(rows, vectors, sum, bias);
    const ptrdiff_t pixel_step = stride * pixel_stride;
    // In a contiguous single-group map the window's columns of one kernel row are one run of
    // (kx1 − kx0) · depth floats, and so are their weights: one long loop instead of one short
    // loop per column (a stem has depth 3).
    const int columns_are_contiguous = pixel_stride == depth;
    for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
        const float *row = input + (iy0 + ky) * row_floats;
        const float *w = weights + (ky * kernel_width + kx0) * depth * LDK_PANEL_WIDTH;
        if (columns_are_contiguous) {
            LDK_NAME(tile_accumulate)(rows, vectors, sum, row + (ix0 + kx0) * pixel_stride, pixel_step, w,
                                      (kx1 - kx0) * depth);
            continue;
        }
        for (ptrdiff_t kx = kx0; kx < kx1; kx++, w += depth * LDK_PANEL_WIDTH)
            LDK_NAME(tile_accumulate)(rows, vectors, sum, row + (ix0 + kx) * pixel_stride, pixel_step, w, depth);
    }
    LDK_NAME(tile_store)(rows, vectors, sum, output, output_stride, residual, residual_stride, columns, activation);
}

/// Where one pass of one panel reads and writes.
typedef struct {
    const float *input, *weights, *bias, *residual;
    float *output;
    ptrdiff_t columns;
} LDK_NAME(direct_pass);

/// One output row of one pass, `vectors` (a constant after inlining) vectors wide: clipped
/// single pixels at the left and right edges, full tiles between them.
LDK_INLINE void LDK_NAME(direct_row)(
    const int vectors, const ldk_convolution *c, const LDK_NAME(direct_pass) *pass, ptrdiff_t oy,
    ptrdiff_t ox_interior0, ptrdiff_t ox_interior1, ldk_activation activation) {
    const ptrdiff_t depth = c->input.channels / c->groups, kh = c->kernel_height, kw = c->kernel_width;
    const ptrdiff_t stride = c->stride, width = c->input.width, ps = c->input.pixel_stride, row_floats = width * ps;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t iy0 = oy * stride - c->pad_top;
    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0;
    const ptrdiff_t ky1 = c->input.height - iy0 < kh ? c->input.height - iy0 : kh;
    float *out = pass->output + oy * out_width * out_ps;
    const float *res = pass->residual ? pass->residual + oy * out_width * res_ps : NULL;
#define LDK_DIRECT_TILE(rows, kx0, kx1)                                                                            \
    LDK_NAME(direct_tile)(rows, vectors, pass->input, row_floats, ps, iy0, ox * stride - c->pad_left, stride, ky0, \
                          ky1, kx0, kx1, kw, depth, pass->weights, pass->bias, out + ox * out_ps, out_ps,          \
                          res ? res + ox * res_ps : NULL, res_ps, pass->columns, activation)
#define LDK_DIRECT_CLIPPED_PIXEL()                                                                   \
    do {                                                                                             \
        const ptrdiff_t ix0 = ox * stride - c->pad_left;                                             \
        LDK_DIRECT_TILE(1, ix0 < 0 ? -ix0 : 0, width - ix0 < kw ? width - ix0 : kw);                 \
    } while (0)
    ptrdiff_t ox = 0;
    for (; ox < ox_interior0; ox++) LDK_DIRECT_CLIPPED_PIXEL();
    for (; ox + LDK_TILE_ROWS <= ox_interior1; ox += LDK_TILE_ROWS) LDK_DIRECT_TILE(LDK_TILE_ROWS, 0, kw);
    // Fewer than LDK_TILE_ROWS (≤ 8) interior pixels left: one tile per set bit.
    if ((ox_interior1 - ox) & 4) { LDK_DIRECT_TILE(4, 0, kw); ox += 4; }
    if ((ox_interior1 - ox) & 2) { LDK_DIRECT_TILE(2, 0, kw); ox += 2; }
    if ((ox_interior1 - ox) & 1) { LDK_DIRECT_TILE(1, 0, kw); ox += 1; }
    for (; ox < out_width; ox++) LDK_DIRECT_CLIPPED_PIXEL();
#undef LDK_DIRECT_CLIPPED_PIXEL
#undef LDK_DIRECT_TILE
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(direct_with)(const ldk_convolution *c, const ldk_activation activation, ptrdiff_t row_begin,
                                      ptrdiff_t row_end) {
    const ptrdiff_t groups = c->groups, depth = c->input.channels / groups, group_outputs = c->output.channels / groups;
    const ptrdiff_t panels = (group_outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t kw = c->kernel_width, stride = c->stride, taps = c->kernel_height * kw;
    const ptrdiff_t width = c->input.width, out_width = c->output.width;
    // Output columns whose whole window lies inside the input: ox · stride − pad_left ≥ 0 and
    // ox · stride − pad_left + kw ≤ width.
    ptrdiff_t ox_interior0 = (c->pad_left + stride - 1) / stride;
    ptrdiff_t ox_interior1 = width - kw + c->pad_left >= 0 ? (width - kw + c->pad_left) / stride + 1 : 0;
    if (ox_interior1 > out_width) ox_interior1 = out_width;
    if (ox_interior0 >= ox_interior1) ox_interior0 = ox_interior1 = out_width;

    for (ptrdiff_t g = 0; g < groups; g++) {
        for (ptrdiff_t p = 0; p < panels; p++) {
            for (ptrdiff_t offset = 0; offset < LDK_PANEL_WIDTH; offset += LDK_PASS_WIDTH) {
                const ptrdiff_t column = g * group_outputs + p * LDK_PANEL_WIDTH + offset;
                LDK_NAME(direct_pass) pass = {
                    .input = c->input.base + g * depth,
                    .weights = c->packed_weights + (g * panels + p) * taps * depth * LDK_PANEL_WIDTH + offset,
                    .bias = c->packed_bias + (g * panels + p) * LDK_PANEL_WIDTH + offset,
                    .residual = c->residual.base ? c->residual.base + column : NULL,
                    .output = c->output.base + column,
                    .columns = group_outputs - p * LDK_PANEL_WIDTH - offset,
                };
                if (pass.columns <= 0) break;
                for (ptrdiff_t oy = row_begin; oy < row_end; oy++) {
                    // A pass with at most one vector of channels left computes just that vector.
                    if (pass.columns <= LDK_LANES)
                        LDK_NAME(direct_row)(1, c, &pass, oy, ox_interior0, ox_interior1, activation);
                    else
                        LDK_NAME(direct_row)(LDK_TILE_VECTORS, c, &pass, oy, ox_interior0, ox_interior1, activation);
                }
            }
        }
    }
}

LDK_TARGET void LDK_NAME(direct)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end) {
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(direct_with), c, row_begin, row_end);
}
