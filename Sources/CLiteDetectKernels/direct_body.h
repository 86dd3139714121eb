// Direct convolution for every shape without a specialised kernel (the stems, full 3×3 convs),
// written once against the vector vocabulary (vector_<isa>.h).
//
// Output channels are the vector dimension, as in the GEMM: a tile (tile_body.h) is up to
// LDK_TILE_ROWS neighbouring output pixels of one row × one pass of a 32-channel weight panel,
// and each (tap, input channel) step broadcasts one input value per pixel against the tap's
// weight vectors. Nothing is copied into an im2col buffer. A row's kernel rows are clipped once
// for the whole row, and its interior pixels run in full tiles without a branch per tap. Pixels
// whose window crosses the left or right edge run down their column instead: those of rows whose
// window is vertically inside the image share kernel rows and columns, so they form tiles of
// pixels one row apart (on a 10×10 map, 16 of its 20 edge pixels; one at a time, a pixel costs
// about as much as a whole tile). Only the corners' pixels run alone.

/// One tile: `rows` output pixels whose windows are `tile_step` input floats apart (`stride`
/// columns of one row, or `stride` rows of one column) and all span kernel rows [ky0, ky1) and
/// kernel columns [kx0, kx1); `rows` and `vectors` are constants after inlining.
///
/// - input: the group's first input channel; the first pixel's window has its top-left corner
///   at image row `iy0`, column `ix0` (possibly outside the image; only taps inside are read).
/// - weights: the pass's first column of the panel, laid out [tap][depth][LDK_PANEL_WIDTH].
LDK_INLINE void LDK_NAME(direct_tile)(const int rows, const int vectors, const float *input, ptrdiff_t row_floats,
                                      ptrdiff_t pixel_stride, ptrdiff_t iy0, ptrdiff_t ix0, ptrdiff_t tile_step,
                                      ptrdiff_t ky0, ptrdiff_t ky1, ptrdiff_t kx0, ptrdiff_t kx1,
                                      ptrdiff_t kernel_width, ptrdiff_t depth, const float *weights, const float *bias,
                                      float *output, ptrdiff_t output_stride, const float *residual,
                                      ptrdiff_t residual_stride, ptrdiff_t columns, ldk_activation activation) {
    ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
    LDK_NAME(tile_start)(rows, vectors, sum, bias);
    const ptrdiff_t pixel_step = tile_step;
    // In a contiguous single-group map the window's columns of one kernel row are one run of
    // (kx1 − kx0) · depth floats, and so are their weights: one long loop instead of one short
    // loop per column (a stem has depth 3).
    const int columns_are_contiguous = pixel_stride == depth;
    for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
        const float *row = input + (iy0 + ky) * row_floats;
        const float *w = weights + (ky * kernel_width + kx0) * depth * LDK_PANEL_WIDTH;
        if (columns_are_contiguous) {
            LDK_NAME(tile_accumulate)
            (rows, vectors, sum, row + (ix0 + kx0) * pixel_stride, pixel_step, w, (kx1 - kx0) * depth);
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

/// The interior pixels [ox_interior0, ox_interior1) of one output row of one pass, `vectors` (a
/// constant after inlining) vectors wide, in full tiles.
LDK_INLINE void LDK_NAME(direct_row)(const int vectors, const ldk_convolution *c, const LDK_NAME(direct_pass) * pass,
                                     ptrdiff_t oy, ptrdiff_t ox_interior0, ptrdiff_t ox_interior1,
                                     ldk_activation activation) {
    const ptrdiff_t depth = c->input.channels / c->groups, kh = c->kernel_height, kw = c->kernel_width;
    const ptrdiff_t stride = c->stride, width = c->input.width, ps = c->input.pixel_stride, row_floats = width * ps;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t iy0 = oy * stride - c->pad_top;
    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0;
    const ptrdiff_t ky1 = c->input.height - iy0 < kh ? c->input.height - iy0 : kh;
    float *out = pass->output + oy * out_width * out_ps;
    const float *res = pass->residual ? pass->residual + oy * out_width * res_ps : NULL;
#define LDK_DIRECT_TILE(rows)                                                                                          \
    LDK_NAME(direct_tile)                                                                                              \
    (rows, vectors, pass->input, row_floats, ps, iy0, ox * stride - c->pad_left, stride * ps, ky0, ky1, 0, kw, kw,     \
     depth, pass->weights, pass->bias, out + ox * out_ps, out_ps, res ? res + ox * res_ps : NULL, res_ps,              \
     pass->columns, activation)
    ptrdiff_t ox = ox_interior0;
    for (; ox + LDK_TILE_ROWS <= ox_interior1; ox += LDK_TILE_ROWS) LDK_DIRECT_TILE(LDK_TILE_ROWS);
    // Fewer than LDK_TILE_ROWS (≤ 8) interior pixels left: one tile per set bit.
    if ((ox_interior1 - ox) & 4) {
        LDK_DIRECT_TILE(4);
        ox += 4;
    }
    if ((ox_interior1 - ox) & 2) {
        LDK_DIRECT_TILE(2);
        ox += 2;
    }
    if ((ox_interior1 - ox) & 1) {
        LDK_DIRECT_TILE(1);
        ox += 1;
    }
#undef LDK_DIRECT_TILE
}

/// Output column `ox` (one whose windows cross the left or right edge) over rows [row_begin,
/// row_end) of one pass: rows whose windows lie vertically inside the image in tiles of pixels one
/// row apart, the others (near the top and bottom) one pixel at a time with their kernel rows clipped.
LDK_INLINE void LDK_NAME(direct_column)(const int vectors, const ldk_convolution *c, const LDK_NAME(direct_pass) * pass,
                                        ptrdiff_t ox, ptrdiff_t row_begin, ptrdiff_t row_end,
                                        ldk_activation activation) {
    const ptrdiff_t depth = c->input.channels / c->groups, kh = c->kernel_height, kw = c->kernel_width;
    const ptrdiff_t stride = c->stride, width = c->input.width, height = c->input.height, ps = c->input.pixel_stride;
    const ptrdiff_t row_floats = width * ps;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t ix0 = ox * stride - c->pad_left;
    const ptrdiff_t kx0 = ix0 < 0 ? -ix0 : 0, kx1 = width - ix0 < kw ? width - ix0 : kw;
#define LDK_DIRECT_COLUMN_TILE(rows, ky0, ky1)                                                                         \
    LDK_NAME(direct_tile)                                                                                              \
    (rows, vectors, pass->input, row_floats, ps, oy * stride - c->pad_top, ix0, stride * row_floats, ky0, ky1, kx0,    \
     kx1, kw, depth, pass->weights, pass->bias, pass->output + (oy * out_width + ox) * out_ps, out_width * out_ps,     \
     pass->residual ? pass->residual + (oy * out_width + ox) * res_ps : NULL, out_width * res_ps, pass->columns,       \
     activation)
    ptrdiff_t oy = row_begin;
    while (oy < row_end) {
        const ptrdiff_t iy0 = oy * stride - c->pad_top;
        if (iy0 < 0 || iy0 + kh > height) {
            LDK_DIRECT_COLUMN_TILE(1, iy0 < 0 ? -iy0 : 0, height - iy0 < kh ? height - iy0 : kh);
            oy++;
            continue;
        }
        // Rows from oy whose windows lie vertically inside: iy0 + kh ≤ height.
        ptrdiff_t run = (height - kh - iy0) / stride + 1;
        if (run > row_end - oy) run = row_end - oy;
        for (; run >= LDK_TILE_ROWS; run -= LDK_TILE_ROWS, oy += LDK_TILE_ROWS)
            LDK_DIRECT_COLUMN_TILE(LDK_TILE_ROWS, 0, kh);
        if (run & 4) {
            LDK_DIRECT_COLUMN_TILE(4, 0, kh);
            oy += 4;
        }
        if (run & 2) {
            LDK_DIRECT_COLUMN_TILE(2, 0, kh);
            oy += 2;
        }
        if (run & 1) {
            LDK_DIRECT_COLUMN_TILE(1, 0, kh);
            oy += 1;
        }
    }
#undef LDK_DIRECT_COLUMN_TILE
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
                LDK_NAME(direct_pass)
                pass = {
                    .input = c->input.base + g * depth,
                    .weights = c->packed_weights + (g * panels + p) * taps * depth * LDK_PANEL_WIDTH + offset,
                    .bias = c->packed_bias + (g * panels + p) * LDK_PANEL_WIDTH + offset,
                    .residual = c->residual.base ? c->residual.base + column : NULL,
                    .output = c->output.base + column,
                    .columns = group_outputs - p * LDK_PANEL_WIDTH - offset,
                };
                if (pass.columns <= 0) break;
                // A pass with at most one vector of channels left computes just that vector.
                const int vectors = pass.columns <= LDK_LANES ? 1 : LDK_TILE_VECTORS;
                for (ptrdiff_t oy = row_begin; oy < row_end; oy++) {
                    if (vectors == 1)
                        LDK_NAME(direct_row)(1, c, &pass, oy, ox_interior0, ox_interior1, activation);
                    else
                        LDK_NAME(direct_row)(LDK_TILE_VECTORS, c, &pass, oy, ox_interior0, ox_interior1, activation);
                }
                // The edge columns: [0, ox_interior0) and [ox_interior1, out_width) (all of them when
                // no window fits inside the width: then ox_interior0 = out_width).
                for (ptrdiff_t ox = 0; ox < out_width; ox++) {
                    if (ox == ox_interior0) ox = ox_interior1;
                    if (ox >= out_width) break;
                    if (vectors == 1)
                        LDK_NAME(direct_column)(1, c, &pass, ox, row_begin, row_end, activation);
                    else
                        LDK_NAME(direct_column)(LDK_TILE_VECTORS, c, &pass, ox, row_begin, row_end, activation);
                }
            }
        }
    }
}

/// Needs no workspace: `scratch` is unused.
LDK_TARGET void LDK_NAME(direct)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    (void)scratch;
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(direct_with), c, row_begin, row_end);
}
