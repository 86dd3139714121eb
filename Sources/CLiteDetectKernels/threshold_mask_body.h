// Which entries of a matrix exceed a threshold, as bit masks, written once against the vector
// vocabulary (vector_<isa>.h). Generic: lets a caller visit only the entries that pass
// (iterating set bits) instead of testing every entry one by one.

LDK_TARGET void LDK_NAME(mask_greater)(const float *values, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t row_stride,
                                       float threshold, uint64_t *masks) {
    const ptrdiff_t words = (columns + 63) / 64;
    // v ≥ t' with t' the next float above t is v > t (NaN fails both); above +∞ nothing passes.
    const float above =
        threshold == __builtin_inff() ? __builtin_nanf("") : __builtin_nextafterf(threshold, __builtin_inff());
    const ldk_vf minimum = vf_set1(above);
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *x = values + row * row_stride;
        uint64_t *mask = masks + row * words;
        for (ptrdiff_t w = 0; w < words; w++) mask[w] = 0;
        ptrdiff_t j = 0;
        for (; j + LDK_LANES <= columns; j += LDK_LANES)
            mask[j / 64] |= (uint64_t)vf_mask_at_least(vf_load(x + j), minimum) << (j % 64);
        if (j < columns) {
            const ptrdiff_t rest = columns - j;
            const uint64_t hits = vf_mask_at_least(vf_load_first(x + j, rest), minimum) & ((1u << rest) - 1);
            mask[j / 64] |= hits << (j % 64);
        }
    }
}
