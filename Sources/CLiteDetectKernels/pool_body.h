// Max, average and global average pooling, written once against the vector vocabulary
// (vector_<isa>.h).
//
// Channels are the vector dimension, as in the depthwise kernel: a window is one max (or add)
// per tap on vectors of neighbouring channels. Up to LDK_POOL_VECTORS vectors of an output pixel
// are pooled together, so each tap's address is computed once for all of them. Every window is
// clipped exactly as ReferencePooling clips it and every channel meets its taps in the same
// order (rows, then columns), so the results are the reference's bit for bit (NaN aside).

/// Vectors of one output pixel pooled at once (64 channels in AVX-512, SqueezeNet's pools).
#define LDK_POOL_VECTORS 4

/// One vector, or (when `partial`, a constant after inlining) its first `count` lanes.
LDK_INLINE ldk_vf LDK_NAME(pool_load)(const int partial, const float *p, ptrdiff_t count) {
    return partial ? vf_load_first(p, count) : vf_load(p);
}

/// `vectors` vectors of channels (the last of them only `last_count` lanes when `partial`) of
/// one output pixel, pooled over the `rows` × `columns` input pixels starting at `window`;
/// `is_max`, `vectors` and `partial` are constants after inlining. An empty window (wholly in
/// the padding) gives −∞ (max) or 0 · scale, as the reference's loops do.
LDK_INLINE void LDK_NAME(pool_pixel)(const int is_max, const int vectors, const int partial, const float *window,
                                     ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t row_floats, ptrdiff_t pixel_stride,
                                     float scale, float *output, ptrdiff_t last_count) {
    ldk_vf value[LDK_POOL_VECTORS];
    for (int v = 0; v < vectors; v++) value[v] = is_max ? vf_set1(-__builtin_inff()) : vf_zero();
    for (ptrdiff_t y = 0; y < rows; y++) {
        for (ptrdiff_t x = 0; x < columns; x++) {
            const float *tap = window + y * row_floats + x * pixel_stride;
            for (int v = 0; v < vectors; v++) {
                const int is_partial = partial && v == vectors - 1;
                const ldk_vf input = LDK_NAME(pool_load)(is_partial, tap + v * LDK_LANES, last_count);
                // vf_max(a, b) is a > b ? a : b: of two equal values the later tap wins, as in
                // Swift.max(running, tap).
                value[v] = is_max ? vf_max(value[v], input) : vf_add(value[v], input);
            }
        }
    }
    for (int v = 0; v < vectors; v++) {
        const ldk_vf result = is_max ? value[v] : vf_mul(value[v], vf_set1(scale));
        if (partial && v == vectors - 1)
            vf_store_first(output + v * LDK_LANES, result, last_count);
        else
            vf_store(output + v * LDK_LANES, result);
    }
}

/// All channels of one output pixel: groups of LDK_POOL_VECTORS vectors, then one group of the
/// vectors left (the last one partial when the channels do not fill it).
LDK_INLINE void LDK_NAME(pool_all_channels)(const int is_max, ptrdiff_t channels, const float *window, ptrdiff_t rows,
                                            ptrdiff_t columns, ptrdiff_t row_floats, ptrdiff_t pixel_stride,
                                            float scale, float *output) {
    const ptrdiff_t group = LDK_POOL_VECTORS * LDK_LANES;
    ptrdiff_t c = 0;
    for (; c + group <= channels; c += group) LDK_NAME(pool_pixel)
    (is_max, LDK_POOL_VECTORS, 0, window + c, rows, columns, row_floats, pixel_stride, scale, output + c, LDK_LANES);
    const ptrdiff_t left = channels - c, full = left / LDK_LANES, tail = left % LDK_LANES;
#define LDK_POOL_REST(vectors, partial)                                                                                \
    LDK_NAME(pool_pixel)                                                                                               \
    (is_max, vectors, partial, window + c, rows, columns, row_floats, pixel_stride, scale, output + c, tail)
    _Static_assert(LDK_POOL_VECTORS == 4, "the cases below cover 1 to 3 vectors left");
    if (tail) {
        switch (full) {
        case 0:
            LDK_POOL_REST(1, 1);
            break;
        case 1:
            LDK_POOL_REST(2, 1);
            break;
        case 2:
            LDK_POOL_REST(3, 1);
            break;
        case 3:
            LDK_POOL_REST(4, 1);
            break;
        }
    } else {
        switch (full) {
        case 1:
            LDK_POOL_REST(1, 0);
            break;
        case 2:
            LDK_POOL_REST(2, 0);
            break;
        case 3:
            LDK_POOL_REST(3, 0);
            break;
        }
    }
#undef LDK_POOL_REST
}

/// The whole pool with `is_max` a constant after inlining.
LDK_INLINE void LDK_NAME(pool_with)(const int is_max, const ldk_pooling *p) {
    const ptrdiff_t height = p->input.height, width = p->input.width, channels = p->input.channels;
    const ptrdiff_t in_stride = p->input.pixel_stride, row_floats = width * in_stride;
    const ptrdiff_t out_stride = p->output.pixel_stride, k = p->kernel;
    const int include_padding = p->kind == LDK_POOL_AVERAGE_INCLUDING_PADDING;
    for (ptrdiff_t oy = 0; oy < p->output.height; oy++) {
        // The window's rows: inside the image [y_begin, y_end), inside the padded image up to y_pad_end.
        const ptrdiff_t y0 = oy * p->stride - p->pad_top;
        const ptrdiff_t y_begin = y0 > 0 ? y0 : 0, y_end = y0 + k < height ? y0 + k : height;
        const ptrdiff_t y_pad_end = y0 + k < height + p->pad_bottom ? y0 + k : height + p->pad_bottom;
        const ptrdiff_t rows = y_end > y_begin ? y_end - y_begin : 0;
        float *output_row = p->output.base + oy * p->output.width * out_stride;
        for (ptrdiff_t ox = 0; ox < p->output.width; ox++) {
            const ptrdiff_t x0 = ox * p->stride - p->pad_left;
            const ptrdiff_t x_begin = x0 > 0 ? x0 : 0, x_end = x0 + k < width ? x0 + k : width;
            const ptrdiff_t x_pad_end = x0 + k < width + p->pad_right ? x0 + k : width + p->pad_right;
            const ptrdiff_t columns = x_end > x_begin ? x_end - x_begin : 0;
            // 1 / count as the reference computes it; a window with no input pixel divides by
            // zero and gives NaN when the padding does not count, as it does there.
            const ptrdiff_t count = include_padding ? (y_pad_end - y0) * (x_pad_end - x0) : rows * columns;
            const float scale = is_max ? 1 : 1 / (float)count;
            LDK_NAME(pool_all_channels)
            (is_max, channels, p->input.base + y_begin * row_floats + x_begin * in_stride, rows, columns, row_floats,
             in_stride, scale, output_row + ox * out_stride);
        }
    }
}

LDK_TARGET void LDK_NAME(pool)(const ldk_pooling *pooling) {
    if (pooling->kind == LDK_POOL_MAX)
        LDK_NAME(pool_with)(1, pooling);
    else
        LDK_NAME(pool_with)(0, pooling);
}

/// The sum over every pixel in order, times 1 / pixels: the average pool of one window that is
/// the whole map.
LDK_TARGET void LDK_NAME(global_average_pool)(ldk_feature_map input, float *output) {
    const ptrdiff_t pixels = input.height * input.width;
    // A map whose pixels are `pixels` rows of one column: the window walks them in memory order.
    LDK_NAME(pool_all_channels)
    (0, input.channels, input.base, pixels, 1, input.pixel_stride, input.pixel_stride, 1 / (float)pixels, output);
}
