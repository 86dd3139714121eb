// The element-wise operations (add, activation or copy, per-channel scale), written once against
// the vector vocabulary (vector_<isa>.h).
//
// Each walks the map pixel by pixel over a pixel's channels, or, when every map involved is
// contiguous, over the whole map as one run. Each output value is computed with the same float
// operations as ReferenceChannelOps (ldk_activate mirrors Activation.apply), so the results
// are the reference's bit for bit (NaN aside).

/// What one element-wise pass computes.
typedef enum {
    /// activation(a + b)
    LDK_ELEMENTWISE_ADD,
    /// activation(a)
    LDK_ELEMENTWISE_ACTIVATE,
    /// a · scales[channel]
    LDK_ELEMENTWISE_SCALE,
} ldk_elementwise_kind;

/// One vector of the result from the operands at `a` and `b` (`b`: the second summand or the
/// scales); `kind`, `activation` and `partial` are constants after inlining.
LDK_INLINE void LDK_NAME(elementwise_vector)(const ldk_elementwise_kind kind, const ldk_activation activation,
                                             const int partial, const float *a, const float *b, float *output,
                                             ptrdiff_t count) {
    const ldk_vf x = partial ? vf_load_first(a, count) : vf_load(a);
    ldk_vf result;
    switch (kind) {
    case LDK_ELEMENTWISE_ADD:
        result = ldk_activate(vf_add(x, partial ? vf_load_first(b, count) : vf_load(b)), activation);
        break;
    case LDK_ELEMENTWISE_ACTIVATE:
        result = ldk_activate(x, activation);
        break;
    case LDK_ELEMENTWISE_SCALE:
        result = vf_mul(x, partial ? vf_load_first(b, count) : vf_load(b));
        break;
    }
    if (partial)
        vf_store_first(output, result, count);
    else
        vf_store(output, result);
}

/// `count` consecutive floats of `a`, `b` (NULL for ACTIVATE) and `output`.
LDK_INLINE void LDK_NAME(elementwise_run)(const ldk_elementwise_kind kind, const ldk_activation activation,
                                          const float *a, const float *b, float *output, ptrdiff_t count) {
    ptrdiff_t i = 0;
    // Four vectors per step: independent loads and stores the core can overlap.
    for (; i + 4 * LDK_LANES <= count; i += 4 * LDK_LANES) {
        for (int v = 0; v < 4; v++) LDK_NAME(elementwise_vector)
        (kind, activation, 0, a + i + v * LDK_LANES, b ? b + i + v * LDK_LANES : NULL, output + i + v * LDK_LANES,
         LDK_LANES);
    }
    for (; i + LDK_LANES <= count; i += LDK_LANES)
        LDK_NAME(elementwise_vector)(kind, activation, 0, a + i, b ? b + i : NULL, output + i, LDK_LANES);
    if (i < count) LDK_NAME(elementwise_vector)(kind, activation, 1, a + i, b ? b + i : NULL, output + i, count - i);
}

/// The whole map, `kind` and `activation` constants after inlining. `b` is a map for ADD, the
/// scales (one run of `channels` floats) for SCALE, unused for ACTIVATE.
LDK_INLINE void LDK_NAME(elementwise_with)(const ldk_elementwise_kind kind, const ldk_activation activation,
                                           ldk_feature_map a, ldk_feature_map b, const float *scales,
                                           ldk_feature_map output) {
    const ptrdiff_t channels = a.channels, pixels = a.height * a.width;
    const int contiguous = a.pixel_stride == channels && output.pixel_stride == channels &&
                           (kind != LDK_ELEMENTWISE_ADD || b.pixel_stride == channels);
    if (contiguous && kind != LDK_ELEMENTWISE_SCALE) {
        LDK_NAME(elementwise_run)(kind, activation, a.base, b.base, output.base, pixels * channels);
        return;
    }
    for (ptrdiff_t p = 0; p < pixels; p++) {
        const float *second = kind == LDK_ELEMENTWISE_ADD ? b.base + p * b.pixel_stride : scales;
        LDK_NAME(elementwise_run)
        (kind, activation, a.base + p * a.pixel_stride, second, output.base + p * output.pixel_stride, channels);
    }
}

/// Runs elementwise_with(kind, activation, ...) with the activation as a compile-time constant.
#define LDK_ELEMENTWISE_WITH_ACTIVATION(kind, activation, ...)                                                         \
    do {                                                                                                               \
        switch (activation) {                                                                                          \
        case LDK_ACTIVATION_IDENTITY:                                                                                  \
            LDK_NAME(elementwise_with)(kind, LDK_ACTIVATION_IDENTITY, __VA_ARGS__);                                    \
            break;                                                                                                     \
        case LDK_ACTIVATION_RELU:                                                                                      \
            LDK_NAME(elementwise_with)(kind, LDK_ACTIVATION_RELU, __VA_ARGS__);                                        \
            break;                                                                                                     \
        case LDK_ACTIVATION_RELU6:                                                                                     \
            LDK_NAME(elementwise_with)(kind, LDK_ACTIVATION_RELU6, __VA_ARGS__);                                       \
            break;                                                                                                     \
        case LDK_ACTIVATION_HARD_SWISH:                                                                                \
            LDK_NAME(elementwise_with)(kind, LDK_ACTIVATION_HARD_SWISH, __VA_ARGS__);                                  \
            break;                                                                                                     \
        case LDK_ACTIVATION_HARD_SIGMOID:                                                                              \
            LDK_NAME(elementwise_with)(kind, LDK_ACTIVATION_HARD_SIGMOID, __VA_ARGS__);                                \
            break;                                                                                                     \
        }                                                                                                              \
    } while (0)

LDK_TARGET void LDK_NAME(add)(ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation) {
    LDK_ELEMENTWISE_WITH_ACTIVATION(LDK_ELEMENTWISE_ADD, activation, a, b, NULL, output);
}

LDK_TARGET void LDK_NAME(apply_activation)(ldk_feature_map input, ldk_feature_map output, ldk_activation activation) {
    LDK_ELEMENTWISE_WITH_ACTIVATION(LDK_ELEMENTWISE_ACTIVATE, activation, input, input, NULL, output);
}

LDK_TARGET void LDK_NAME(scale_channels)(ldk_feature_map input, const float *scales, ldk_feature_map output) {
    LDK_NAME(elementwise_with)(LDK_ELEMENTWISE_SCALE, LDK_ACTIVATION_IDENTITY, input, input, scales, output);
}
