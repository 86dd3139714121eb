// ShuffleNet's channel shuffle, compiled once per instruction set like the other bodies but
// written as plain loops: with the group count a constant, clang vectorises the output run as
// an interleaved store group (permutes of `groups` input vectors per output vector), which a
// loop with a variable group count cannot be (it stays one float at a time, ~8× slower here).
// The common group counts therefore get their own constant copy of the loop.

/// One pixel: output channel j · groups + i ← input channel i · per_group + j, the output
/// written in order; `groups` is a constant after inlining.
LDK_INLINE void LDK_NAME(shuffle_pixel)(const ptrdiff_t groups, const float *restrict input, float *restrict output,
                                        ptrdiff_t per_group) {
    for (ptrdiff_t j = 0; j < per_group; j++)
        for (ptrdiff_t i = 0; i < groups; i++) output[j * groups + i] = input[i * per_group + j];
}

/// Every pixel with `groups` a constant after inlining (or not, for the uncommon counts).
LDK_INLINE void LDK_NAME(shuffle_with)(const ptrdiff_t groups, ldk_feature_map input, ldk_feature_map output) {
    const ptrdiff_t pixels = input.height * input.width, per_group = input.channels / groups;
    for (ptrdiff_t p = 0; p < pixels; p++) LDK_NAME(shuffle_pixel)
    (groups, input.base + p * input.pixel_stride, output.base + p * output.pixel_stride, per_group);
}

LDK_TARGET void LDK_NAME(channel_shuffle)(ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output) {
    switch (groups) {
    case 2:
        LDK_NAME(shuffle_with)(2, input, output);
        break; // ShuffleNet V2
    case 3:
        LDK_NAME(shuffle_with)(3, input, output);
        break; // ShuffleNet V1, g = 3 (the default)
    case 4:
        LDK_NAME(shuffle_with)(4, input, output);
        break;
    case 8:
        LDK_NAME(shuffle_with)(8, input, output);
        break;
    default:
        LDK_NAME(shuffle_with)(groups, input, output);
        break;
    }
}
