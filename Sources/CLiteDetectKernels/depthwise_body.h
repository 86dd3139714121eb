// Depthwise convolution, written once against the vector vocabulary (vector_<isa>.h).
//
// Channels are the vector dimension: one vector holds LDK_LANES channels of one pixel, and a
// tap is one load and one FMA against that tap's weights for the same channels. Output rows
// are visited in order and each row runs through all channel blocks, so the kernel-height input
// rows it reads stay in cache. In the interior (every tap inside the image) the 3×3 and 5×5
// kernels keep all their weights in registers and run without a branch; border pixels clip the
// kernel window instead of testing each tap.

/// The taps of one output pixel whose window is clipped to rows [ky0, ky1) and columns [kx0, kx1).
/// `source` points at the window's top-left corner channel block (which may lie outside the
/// image; only taps inside are formed). `partial` (< LDK_LANES channels left) is a constant
/// after inlining.
LDK_INLINE ldk_vf LDK_NAME(depthwise_clipped_sum)(
    const int partial, const float *input, ptrdiff_t row_floats, ptrdiff_t pixel_stride, ptrdiff_t iy0, ptrdiff_t ix0,
    ptrdiff_t ky0, ptrdiff_t ky1, ptrdiff_t kx0, ptrdiff_t kx1, ptrdiff_t kernel_width, ptrdiff_t count,
    const float *weights, ptrdiff_t tap_stride, ldk_vf sum) {
    for (ptrdiff_t ky = ky0; ky < ky1; ky++) {
        const float *row = input + (iy0 + ky) * row_floats;
        for (ptrdiff_t kx = kx0; kx < kx1; kx++) {
            const float *x = row + (ix0 + kx) * pixel_stride;
            ldk_vf value = partial ? vf_load_first(x, count) : vf_load(x);
            sum = vf_fmadd(value, vf_load(weights + (ky * kernel_width + kx) * tap_stride), sum);
        }
    }
    return sum;
}

/// Interior pixels [ox0, ox1) of one output row for one channel block, with a `size`×`size`
/// kernel (a constant after inlining) whose weights sit in registers for the whole run.
LDK_INLINE void LDK_NAME(depthwise_interior)(
    const int size, const int partial, const float *input_row, ptrdiff_t row_floats, ptrdiff_t pixel_stride,
    ptrdiff_t stride, ptrdiff_t pad_left, ptrdiff_t ox0, ptrdiff_t ox1, ptrdiff_t count, const float *weights,
    ptrdiff_t tap_stride, ldk_vf bias, float *output_row, ptrdiff_t output_stride, const float *residual_row,
    ptrdiff_t residual_stride, ldk_activation activation) {
    ldk_vf w[25];
    for (int t = 0; t < size * size; t++) w[t] = vf_load(weights + t * tap_stride);
    for (ptrdiff_t ox = ox0; ox < ox1; ox++) {
        const float *window = input_row + (ox * stride - pad_left) * pixel_stride;
        ldk_vf sum = bias;
        for (int ky = 0; ky < size; ky++) {
            for (int kx = 0; kx < size; kx++) {
                const float *x = window + ky * row_floats + kx * pixel_stride;
                sum = vf_fmadd(partial ? vf_load_first(x, count) : vf_load(x), w[ky * size + kx], sum);
            }
        }
        ldk_store(output_row + ox * output_stride, residual_row ? residual_row + ox * residual_stride : NULL, sum,
                  activation, count);
    }
}

/// One output row for one channel block of `count` channels (`partial` when < LDK_LANES).
LDK_INLINE void LDK_NAME(depthwise_row)(
    const int partial, const ldk_convolution *c, ptrdiff_t oy, ptrdiff_t channel, ptrdiff_t count,
    ptrdiff_t ox_interior0, ptrdiff_t ox_interior1) {
    const ptrdiff_t kh = c->kernel_height, kw = c->kernel_width, stride = c->stride;
    const ptrdiff_t height = c->input.height, width = c->input.width, ps = c->input.pixel_stride;
    const ptrdiff_t row_floats = width * ps;
    const ptrdiff_t out_width = c->output.width, out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride;
    const ptrdiff_t tap_stride = (c->input.channels + LDK_DEPTHWISE_CHANNEL_ALIGNMENT - 1) /
                                 LDK_DEPTHWISE_CHANNEL_ALIGNMENT * LDK_DEPTHWISE_CHANNEL_ALIGNMENT;
    const float *input = c->input.base + channel;
    const float *weights = c->packed_weights + channel;
    const ldk_vf bias = vf_load(c->packed_bias + channel);
    float *output_row = c->output.base + oy * out_width * out_ps + channel;
    const float *residual_row = c->residual.base ? c->residual.base + oy * out_width * res_ps + channel : NULL;

    const ptrdiff_t iy0 = oy * stride - c->pad_top;
    const ptrdiff_t ky0 = iy0 < 0 ? -iy0 : 0;
    const ptrdiff_t ky1 = height - iy0 < kh ? height - iy0 : kh;
    const int full_rows = ky0 == 0 && ky1 == kh;
    if (!full_rows || kh != kw || (kh != 3 && kh != 5)) ox_interior0 = ox_interior1 = out_width;

    for (ptrdiff_t ox = 0; ox < out_width; ox++) {
        if (ox == ox_interior0) {
            const float *input_row = input + iy0 * row_floats;
            if (kh == 3)
                LDK_NAME(depthwise_interior)(3, partial, input_row, row_floats, ps, stride, c->pad_left, ox,
                                             ox_interior1, count, weights, tap_stride, bias, output_row, out_ps,
                                             residual_row, res_ps, c->activation);
            else
                LDK_NAME(depthwise_interior)(5, partial, input_row, row_floats, ps, stride, c->pad_left, ox,
                                             ox_interior1, count, weights, tap_stride, bias, output_row, out_ps,
                                             residual_row, res_ps, c->activation);
            ox = ox_interior1 - 1;
            continue;
        }
        const ptrdiff_t ix0 = ox * stride - c->pad_left;
        const ptrdiff_t kx0 = ix0 < 0 ? -ix0 : 0;
        const ptrdiff_t kx1 = width - ix0 < kw ? width - ix0 : kw;
        ldk_vf sum = LDK_NAME(depthwise_clipped_sum)(partial, input, row_floats, ps, iy0, ix0, ky0, ky1, kx0, kx1, kw,
                                                     count, weights, tap_stride, bias);
        ldk_store(output_row + ox * out_ps, residual_row ? residual_row + ox * res_ps : NULL, sum, c->activation, count);
    }
}

LDK_TARGET void LDK_NAME(depthwise)(const ldk_convolution *c) {
    const ptrdiff_t channels = c->input.channels, stride = c->stride, kw = c->kernel_width;
    const ptrdiff_t out_width = c->output.width;
    // Output columns whose whole window lies inside the input: ox · stride − pad_left ≥ 0 and
    // ox · stride − pad_left + kw ≤ width.
    ptrdiff_t ox0 = (c->pad_left + stride - 1) / stride;
    ptrdiff_t ox1 = c->input.width - kw + c->pad_left >= 0 ? (c->input.width - kw + c->pad_left) / stride + 1 : 0;
    if (ox1 > out_width) ox1 = out_width;
    if (ox0 >= ox1) ox0 = ox1 = out_width;

    for (ptrdiff_t oy = 0; oy < c->output.height; oy++) {
        ptrdiff_t channel = 0;
        for (; channel + LDK_LANES <= channels; channel += LDK_LANES)
            LDK_NAME(depthwise_row)(0, c, oy, channel, LDK_LANES, ox0, ox1);
        if (channel < channels) LDK_NAME(depthwise_row)(1, c, oy, channel, channels - channel, ox0, ox1);
    }
}
