// Depthwise convolution, written once against the vector vocabulary (vector_<isa>.h).
//
// Channels are the vector dimension: one vector holds LDK_LANES channels of one pixel, and a
// tap is one load and one FMA against that tap's weights for the same channels.
//
// Loop order: for each output row, a few output pixels at a time, and for those pixels every
// channel block in turn. Each step therefore reads whole pixels (all their channels,
// contiguous) and the weights (a few KiB, hot in L1). The other order, one channel block
// across a whole row, walks memory with the pixel stride; with 512 channels that stride is
// 2 KiB, and every load of a row maps to the same two L1 sets, so it ran 3–5× slower.
//
// 3×3 and 5×5 windows with stride 1 or 2 that lie inside the image horizontally run
// LDK_DEPTHWISE_PIXELS at a time, fully unrolled so that input vectors shared by neighbouring
// windows are loaded once; kernel rows in the top or bottom padding are skipped. Every other
// pixel (the left and right borders, the rest of a row, other sizes and strides) sums the taps
// of its window clipped to the image. Both sum the taps in the same order (row by row, left to
// right), so the result does not depend on which path computed a pixel.

/// Output pixels per unrolled step: four independent FMA chains per tap.
#define LDK_DEPTHWISE_PIXELS 4
/// The largest kernel side the unrolled step handles.
#define LDK_DEPTHWISE_MAX_UNROLLED_KERNEL 5

/// Tap `tap` (of `taps`) of the LDK_LANES channels from `channel` in ldk_pack_depthwise's layout.
LDK_INLINE const float *LDK_NAME(depthwise_tap)(const float *weights, ptrdiff_t taps, ptrdiff_t tap,
                                                ptrdiff_t channel) {
    const ptrdiff_t block = LDK_DEPTHWISE_CHANNEL_ALIGNMENT;
    _Static_assert(LDK_DEPTHWISE_CHANNEL_ALIGNMENT % LDK_LANES == 0, "a vector never straddles two blocks");
    return weights + channel / block * block * taps + tap * block + channel % block;
}

/// `count` channels at `p`: a whole vector, or (when `partial`, a constant after inlining) the
/// first `count` lanes.
LDK_INLINE ldk_vf LDK_NAME(depthwise_load)(const int partial, const float *p, ptrdiff_t count) {
    return partial ? vf_load_first(p, count) : vf_load(p);
}

/// LDK_DEPTHWISE_PIXELS output pixels of one channel block (`count` channels from `channel`),
/// `size` × `size` kernel with stride `stride` (constants after inlining).
///
/// - rows: per kernel row, the input row's first pixel at the first window's left edge, or
///   NULL where the row lies in the padding.
LDK_INLINE void LDK_NAME(depthwise_block_unrolled)(const int size, const int stride, const int partial,
                                                   const ldk_activation activation, const float *const *rows,
                                                   ptrdiff_t pixel_stride, const float *weights, const float *bias,
                                                   ptrdiff_t channel, ptrdiff_t count, float *output,
                                                   ptrdiff_t output_stride, const float *residual,
                                                   ptrdiff_t residual_stride) {
    ldk_vf sum[LDK_DEPTHWISE_PIXELS];
    const ldk_vf b = vf_load(bias + channel);
    for (int i = 0; i < LDK_DEPTHWISE_PIXELS; i++) sum[i] = b;
    for (int ky = 0; ky < size; ky++) {
        if (!rows[ky]) continue;
        ldk_vf w[LDK_DEPTHWISE_MAX_UNROLLED_KERNEL];
        for (int kx = 0; kx < size; kx++)
            w[kx] = vf_load(LDK_NAME(depthwise_tap)(weights, size * size, ky * size + kx, channel));
        // Input column j serves window i at tap kx = j − i · stride; visiting j in order keeps
        // each window's taps in order.
        const int columns = (LDK_DEPTHWISE_PIXELS - 1) * stride + size;
        for (int j = 0; j < columns; j++) {
            const ldk_vf x = LDK_NAME(depthwise_load)(partial, rows[ky] + j * pixel_stride + channel, count);
            for (int i = 0; i < LDK_DEPTHWISE_PIXELS; i++) {
                const int kx = j - i * stride;
                if (kx >= 0 && kx < size) sum[i] = vf_fmadd(x, w[kx], sum[i]);
            }
        }
    }
    for (int i = 0; i < LDK_DEPTHWISE_PIXELS; i++)
        ldk_store(output + i * output_stride + channel, residual ? residual + i * residual_stride + channel : NULL,
                  sum[i], activation, count);
}

/// LDK_DEPTHWISE_PIXELS output pixels starting at `output`, all channel blocks.
LDK_INLINE void LDK_NAME(depthwise_pixels_unrolled)(const int size, const int stride, const ldk_activation activation,
                                                    const ldk_convolution *c, const float *const *rows, float *output,
                                                    const float *residual) {
    const ptrdiff_t channels = c->input.channels, full_blocks_end = channels / LDK_LANES * LDK_LANES;
    const ptrdiff_t ps = c->input.pixel_stride, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    ptrdiff_t channel = 0;
    for (; channel < full_blocks_end; channel += LDK_LANES) LDK_NAME(depthwise_block_unrolled)
    (size, stride, 0, activation, rows, ps, c->packed_weights, c->packed_bias, channel, LDK_LANES, output, out_ps,
     residual, res_ps);
    if (channel < channels) LDK_NAME(depthwise_block_unrolled)
    (size, stride, 1, activation, rows, ps, c->packed_weights, c->packed_bias, channel, channels - channel, output,
     out_ps, residual, res_ps);
}

/// One output pixel, all channel blocks, its window clipped to the image: kernel rows
/// [ky0, ky1), the first of them input row `top` (unused when the range is empty), columns
/// [kx0, kx1) from input column ix0.
LDK_INLINE void LDK_NAME(depthwise_pixel_clipped)(const ldk_activation activation, const ldk_convolution *c,
                                                  const float *top, ptrdiff_t ky0, ptrdiff_t ky1, ptrdiff_t ix0,
                                                  ptrdiff_t kx0, ptrdiff_t kx1, float *output, const float *residual) {
    const ptrdiff_t channels = c->input.channels, kw = c->kernel_width, ps = c->input.pixel_stride;
    const ptrdiff_t taps = c->kernel_height * kw;
    const ptrdiff_t row_floats = c->input.width * ps;
    for (ptrdiff_t channel = 0; channel < channels; channel += LDK_LANES) {
        const ptrdiff_t count = channels - channel < LDK_LANES ? channels - channel : LDK_LANES;
        ldk_vf sum = vf_load(c->packed_bias + channel);
        for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
            const float *row = top + (ky - ky0) * row_floats + channel;
            for (ptrdiff_t kx = kx0; kx < kx1; kx++) {
                const float *x = row + (ix0 + kx) * ps;
                const float *tap = LDK_NAME(depthwise_tap)(c->packed_weights, taps, ky * kw + kx, channel);
                const ldk_vf value = count == LDK_LANES ? vf_load(x) : vf_load_first(x, count);
                sum = vf_fmadd(value, vf_load(tap), sum);
            }
        }
        ldk_store(output + channel, residual ? residual + channel : NULL, sum, activation, count);
    }
}

/// Output rows [row_begin, row_end); `size` and `stride` constants after inlining, with
/// size 0 meaning "not unrolled" (every pixel clipped).
LDK_INLINE void LDK_NAME(depthwise_rows)(const int size, const int stride, const ldk_convolution *c,
                                         const ldk_activation activation, ptrdiff_t row_begin, ptrdiff_t row_end) {
    const ptrdiff_t kh = c->kernel_height, kw = c->kernel_width, height = c->input.height, width = c->input.width;
    const ptrdiff_t out_width = c->output.width, ps = c->input.pixel_stride, row_floats = width * ps;
    const ptrdiff_t out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    // Output columns whose whole window lies inside the input horizontally:
    // ox · stride − pad_left ≥ 0 and ox · stride − pad_left + kw ≤ width.
    ptrdiff_t ox0 = (c->pad_left + c->stride - 1) / c->stride;
    ptrdiff_t ox1 = width - kw + c->pad_left >= 0 ? (width - kw + c->pad_left) / c->stride + 1 : 0;
    if (ox1 > out_width) ox1 = out_width;
    if (ox0 > ox1) ox0 = ox1;

    for (ptrdiff_t oy = row_begin; oy < row_end; oy++) {
        const ptrdiff_t iy0 = oy * c->stride - c->pad_top;
        const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0, ky1 = height - iy0 < kh ? height - iy0 : kh;
        // The window's first row inside the image (none when ky0 ≥ ky1: all padding).
        const float *top = ky0 < ky1 ? c->input.base + (iy0 + ky0) * row_floats : c->input.base;
        float *output_row = c->output.base + oy * out_width * out_ps;
        const float *residual_row = c->residual.base ? c->residual.base + oy * out_width * res_ps : NULL;
#define LDK_DEPTHWISE_CLIPPED(ox)                                                                                      \
    LDK_NAME(depthwise_pixel_clipped)                                                                                  \
    (activation, c, top, ky0, ky1, (ox)*c->stride - c->pad_left,                                                       \
     (ox)*c->stride < c->pad_left ? c->pad_left - (ox)*c->stride : 0,                                                  \
     width - ((ox)*c->stride - c->pad_left) < kw ? width - ((ox)*c->stride - c->pad_left) : kw,                        \
     output_row + (ox)*out_ps, residual_row ? residual_row + (ox)*res_ps : NULL)
        ptrdiff_t ox = 0;
        if (size > 0) {
            const float *rows[LDK_DEPTHWISE_MAX_UNROLLED_KERNEL];
            for (; ox < ox0; ox++) LDK_DEPTHWISE_CLIPPED(ox);
            for (; ox + LDK_DEPTHWISE_PIXELS <= ox1; ox += LDK_DEPTHWISE_PIXELS) {
                const ptrdiff_t ix = ox * stride - c->pad_left;
                for (int ky = 0; ky < size; ky++)
                    rows[ky] = ky >= ky0 && ky < ky1 ? top + (ky - ky0) * row_floats + ix * ps : NULL;
                LDK_NAME(depthwise_pixels_unrolled)
                (size, stride, activation, c, rows, output_row + ox * out_ps,
                 residual_row ? residual_row + ox * res_ps : NULL);
            }
        }
        for (; ox < out_width; ox++) LDK_DEPTHWISE_CLIPPED(ox);
#undef LDK_DEPTHWISE_CLIPPED
    }
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(depthwise_with)(const ldk_convolution *c, const ldk_activation activation, ptrdiff_t row_begin,
                                         ptrdiff_t row_end) {
    const int square = c->kernel_height == c->kernel_width;
    const ptrdiff_t size = square ? c->kernel_height : 0, stride = c->stride;
    if (size == 3 && stride == 1)
        LDK_NAME(depthwise_rows)(3, 1, c, activation, row_begin, row_end);
    else if (size == 3 && stride == 2)
        LDK_NAME(depthwise_rows)(3, 2, c, activation, row_begin, row_end);
    else if (size == 5 && stride == 1)
        LDK_NAME(depthwise_rows)(5, 1, c, activation, row_begin, row_end);
    else if (size == 5 && stride == 2)
        LDK_NAME(depthwise_rows)(5, 2, c, activation, row_begin, row_end);
    else
        LDK_NAME(depthwise_rows)(0, 1, c, activation, row_begin, row_end);
}

/// Needs no workspace: `scratch` is unused.
LDK_TARGET void LDK_NAME(depthwise)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    (void)scratch;
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(depthwise_with), c, row_begin, row_end);
}
