// Depthwise convolution, written once against the vector vocabulary (vector_<isa>.h).
//
// Channels are the vector dimension: one vector holds LDK_LANES channels of one pixel, and a
// tap is one load and one FMA against that tap's weights for the same channels. Output rows
// are visited in order and each row runs through all channel blocks, so the kernel-height input
// rows it reads stay in cache. The 3×3 and 5×5 kernels keep all their weights in registers for
// a whole row: interior pixels (every tap inside the image) run four at a time without a branch;
// border pixels read a vector of zeros for taps outside the image (a pointer select, not a
// branch). Other kernel sizes clip each pixel's window instead.

/// What taps outside the image read: one vector of zeros serves every channel block.
static const float LDK_NAME(depthwise_zeros)[LDK_LANES] = {0};

/// The largest kernel side with weights held in registers.
#define LDK_DEPTHWISE_MAX_REGISTER_KERNEL 5

/// `count` channels at `p`: a whole vector, or (when `partial`, a constant after inlining) the
/// first `count` lanes.
LDK_INLINE ldk_vf LDK_NAME(depthwise_load)(const int partial, const float *p, ptrdiff_t count) {
    return partial ? vf_load_first(p, count) : vf_load(p);
}

/// Output pixels [ox0, ox1) of one row for one channel block, `size` × `size` kernel (a constant
/// after inlining), weights `w` in registers.
///
/// - rows: per kernel row, the channel block's first pixel of that input row, or NULL where the
///   row lies in the padding. When `interior`, no row is NULL and every window is inside the
///   image; otherwise taps outside read zeros.
LDK_INLINE void LDK_NAME(depthwise_run)(
    const int size, const int partial, const int interior, const ldk_activation activation,
    const float *const *rows, ptrdiff_t width, ptrdiff_t pixel_stride, ptrdiff_t stride, ptrdiff_t pad_left,
    ptrdiff_t ox0, ptrdiff_t ox1, ptrdiff_t count, const ldk_vf *w, ldk_vf bias, float *output_row,
    ptrdiff_t output_stride, const float *residual_row, ptrdiff_t residual_stride) {
    ptrdiff_t ox = ox0;
    // Four pixels at a time: four independent FMA chains instead of one long one.
    if (interior) {
        for (; ox + 4 <= ox1; ox += 4) {
            ldk_vf sum[4] = {bias, bias, bias, bias};
            for (int ky = 0; ky < size; ky++) {
                const float *window = rows[ky] + (ox * stride - pad_left) * pixel_stride;
                for (int kx = 0; kx < size; kx++) {
                    for (int i = 0; i < 4; i++) {
                        const float *x = window + (i * stride + kx) * pixel_stride;
                        sum[i] = vf_fmadd(LDK_NAME(depthwise_load)(partial, x, count), w[ky * size + kx], sum[i]);
                    }
                }
            }
            for (int i = 0; i < 4; i++)
                ldk_store(output_row + (ox + i) * output_stride,
                          residual_row ? residual_row + (ox + i) * residual_stride : NULL, sum[i], activation, count);
        }
    }
    for (; ox < ox1; ox++) {
        const ptrdiff_t ix0 = ox * stride - pad_left;
        ldk_vf sum = bias;
        for (int ky = 0; ky < size; ky++) {
            for (int kx = 0; kx < size; kx++) {
                const ptrdiff_t ix = ix0 + kx;
                const float *x = interior                                  ? rows[ky] + ix * pixel_stride
                                 : rows[ky] && ix >= 0 && ix < width ? rows[ky] + ix * pixel_stride
                                                                          : LDK_NAME(depthwise_zeros);
                sum = vf_fmadd(LDK_NAME(depthwise_load)(partial, x, count), w[ky * size + kx], sum);
            }
        }
        ldk_store(output_row + ox * output_stride, residual_row ? residual_row + ox * residual_stride : NULL, sum,
                  activation, count);
    }
}

/// One output row for one channel block with a `size` × `size` kernel held in registers.
LDK_INLINE void LDK_NAME(depthwise_row_in_registers)(
    const int size, const int partial, const ldk_activation activation, const ldk_convolution *c,
    const float *const *rows, int rows_complete, ptrdiff_t channel, ptrdiff_t count, ptrdiff_t tap_stride,
    ptrdiff_t ox_interior0, ptrdiff_t ox_interior1, float *output_row, const float *residual_row) {
    const float *block_rows[LDK_DEPTHWISE_MAX_REGISTER_KERNEL];
    for (int ky = 0; ky < size; ky++) block_rows[ky] = rows[ky] ? rows[ky] + channel : NULL;
    ldk_vf w[LDK_DEPTHWISE_MAX_REGISTER_KERNEL * LDK_DEPTHWISE_MAX_REGISTER_KERNEL];
    for (int t = 0; t < size * size; t++) w[t] = vf_load(c->packed_weights + t * tap_stride + channel);
    const ldk_vf bias = vf_load(c->packed_bias + channel);
    const ptrdiff_t width = c->input.width, ps = c->input.pixel_stride, stride = c->stride, pad = c->pad_left;
    const ptrdiff_t out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    float *out = output_row + channel;
    const float *res = residual_row ? residual_row + channel : NULL;
    if (!rows_complete) {
        LDK_NAME(depthwise_run)(size, partial, 0, activation, block_rows, width, ps, stride, pad, 0, c->output.width,
                                count, w, bias, out, out_ps, res, res_ps);
        return;
    }
    LDK_NAME(depthwise_run)(size, partial, 0, activation, block_rows, width, ps, stride, pad, 0, ox_interior0, count,
                            w, bias, out, out_ps, res, res_ps);
    LDK_NAME(depthwise_run)(size, partial, 1, activation, block_rows, width, ps, stride, pad, ox_interior0,
                            ox_interior1, count, w, bias, out, out_ps, res, res_ps);
    LDK_NAME(depthwise_run)(size, partial, 0, activation, block_rows, width, ps, stride, pad, ox_interior1,
                            c->output.width, count, w, bias, out, out_ps, res, res_ps);
}

/// One output row for one channel block with any kernel: each pixel's window clipped to the
/// image, weights read from memory per tap.
LDK_INLINE void LDK_NAME(depthwise_row_clipped)(
    const int partial, const ldk_activation activation, const ldk_convolution *c, ptrdiff_t iy0, ptrdiff_t channel,
    ptrdiff_t count, ptrdiff_t tap_stride, float *output_row, const float *residual_row) {
    const ptrdiff_t kh = c->kernel_height, kw = c->kernel_width, stride = c->stride;
    const ptrdiff_t width = c->input.width, ps = c->input.pixel_stride, row_floats = width * ps;
    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0;
    const ptrdiff_t ky1 = c->input.height - iy0 < kh ? c->input.height - iy0 : kh;
    const ldk_vf bias = vf_load(c->packed_bias + channel);
    for (ptrdiff_t ox = 0; ox < c->output.width; ox++) {
        const ptrdiff_t ix0 = ox * stride - c->pad_left;
        const ptrdiff_t kx0 = ix0 < 0 ? -ix0 : 0;
        const ptrdiff_t kx1 = width - ix0 < kw ? width - ix0 : kw;
        ldk_vf sum = bias;
        for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
            const float *row = c->input.base + (iy0 + ky) * row_floats + channel;
            for (ptrdiff_t kx = kx0; kx < kx1; kx++) {
                const float *x = row + (ix0 + kx) * ps;
                const float *tap = c->packed_weights + (ky * kw + kx) * tap_stride + channel;
                sum = vf_fmadd(LDK_NAME(depthwise_load)(partial, x, count), vf_load(tap), sum);
            }
        }
        ldk_store(output_row + ox * c->output.pixel_stride + channel,
                  residual_row ? residual_row + ox * c->residual.pixel_stride + channel : NULL, sum, activation, count);
    }
}

/// One output row, all channel blocks (the last one `partial` when channels do not fill it).
LDK_INLINE void LDK_NAME(depthwise_row)(
    const int partial, const ldk_activation activation, const ldk_convolution *c, const float *const *rows,
    int rows_complete, ptrdiff_t iy0, ptrdiff_t channel0, ptrdiff_t channel1, ptrdiff_t ox_interior0,
    ptrdiff_t ox_interior1, float *output_row, const float *residual_row) {
    const ptrdiff_t channels = c->input.channels;
    const ptrdiff_t tap_stride = (channels + LDK_DEPTHWISE_CHANNEL_ALIGNMENT - 1) / LDK_DEPTHWISE_CHANNEL_ALIGNMENT *
                                 LDK_DEPTHWISE_CHANNEL_ALIGNMENT;
    const int square = c->kernel_height == c->kernel_width;
    for (ptrdiff_t channel = channel0; channel < channel1; channel += LDK_LANES) {
        const ptrdiff_t count = partial ? channels - channel : LDK_LANES;
        if (square && c->kernel_height == 3)
            LDK_NAME(depthwise_row_in_registers)(3, partial, activation, c, rows, rows_complete, channel, count,
                                                 tap_stride, ox_interior0, ox_interior1, output_row, residual_row);
        else if (square && c->kernel_height == 5)
            LDK_NAME(depthwise_row_in_registers)(5, partial, activation, c, rows, rows_complete, channel, count,
                                                 tap_stride, ox_interior0, ox_interior1, output_row, residual_row);
        else
            LDK_NAME(depthwise_row_clipped)(partial, activation, c, iy0, channel, count, tap_stride, output_row,
                                            residual_row);
    }
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining.
LDK_INLINE void LDK_NAME(depthwise_with)(const ldk_convolution *c, const ldk_activation activation, ptrdiff_t row_begin,
                                         ptrdiff_t row_end) {
    const ptrdiff_t channels = c->input.channels, stride = c->stride, kh = c->kernel_height, kw = c->kernel_width;
    const ptrdiff_t height = c->input.height, width = c->input.width, out_width = c->output.width;
    const ptrdiff_t row_floats = width * c->input.pixel_stride;
    const ptrdiff_t full_blocks_end = channels / LDK_LANES * LDK_LANES;
    // Output columns whose whole window lies inside the input: ox · stride − pad_left ≥ 0 and
    // ox · stride − pad_left + kw ≤ width.
    ptrdiff_t ox0 = (c->pad_left + stride - 1) / stride;
    ptrdiff_t ox1 = width - kw + c->pad_left >= 0 ? (width - kw + c->pad_left) / stride + 1 : 0;
    if (ox1 > out_width) ox1 = out_width;
    if (ox0 >= ox1) ox0 = ox1 = out_width;

    for (ptrdiff_t oy = row_begin; oy < row_end; oy++) {
        const ptrdiff_t iy0 = oy * stride - c->pad_top;
        const float *rows[LDK_DEPTHWISE_MAX_REGISTER_KERNEL] = {NULL};
        int rows_complete = 1;
        for (ptrdiff_t ky = 0; ky < kh && ky < LDK_DEPTHWISE_MAX_REGISTER_KERNEL; ky++) {
            const ptrdiff_t iy = iy0 + ky;
            rows[ky] = iy >= 0 && iy < height ? c->input.base + iy * row_floats : NULL;
            rows_complete &= rows[ky] != NULL;
        }
        float *output_row = c->output.base + oy * out_width * c->output.pixel_stride;
        const float *residual_row = c->residual.base ? c->residual.base + oy * out_width * c->residual.pixel_stride : NULL;
        LDK_NAME(depthwise_row)(0, activation, c, rows, rows_complete, iy0, 0, full_blocks_end, ox0, ox1, output_row,
                                residual_row);
        if (full_blocks_end < channels)
            LDK_NAME(depthwise_row)(1, activation, c, rows, rows_complete, iy0, full_blocks_end, channels, ox0, ox1,
                                    output_row, residual_row);
    }
}

LDK_TARGET void LDK_NAME(depthwise)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end) {
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(depthwise_with), c, row_begin, row_end);
}
