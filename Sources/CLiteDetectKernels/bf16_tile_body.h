// The bfloat16 pieces of the _BF16 kernels (pointwise_bf16_body.h, direct_bf16_body.h), AVX-512
// with AVX512_BF16 only: rounding float32 inputs to bfloat16, and the register tile of
// tile_body.h fed by VDPBF16PS, which multiplies a pair of bfloat16 inputs by a pair of
// bfloat16 weights in every lane and adds both products to a float32 sum.
//
// The inputs are rounded once per chunk or band into a scratch copy, not per tile: a tile then
// broadcasts each pair straight from memory, and the rounding is shared by every panel.

/// Rounds `count` floats from `source` to bfloat16 (to nearest, ties to even) into
/// `destination`, then fills it with zeros up to `padded_count` (≥ count). Reads no float past
/// source + count.
LDK_INLINE void LDK_NAME(bf16_round)(const float *source, ptrdiff_t count, uint16_t *destination,
                                     ptrdiff_t padded_count) {
    ptrdiff_t i = 0;
    for (; i + LDK_LANES <= count; i += LDK_LANES)
        _mm256_storeu_si256((__m256i *)(destination + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(source + i)));
    for (; i < padded_count; i += LDK_LANES) {
        const ptrdiff_t values = count > i ? count - i : 0;
        const ptrdiff_t slots = padded_count - i < LDK_LANES ? padded_count - i : LDK_LANES;
        const __m512 v = _mm512_maskz_loadu_ps((__mmask16)((1u << values) - 1), source + i);
        _mm256_mask_storeu_epi16(destination + i, (__mmask16)((1u << slots) - 1), (__m256i)_mm512_cvtneps_pbh(v));
    }
}

/// Adds `pairs` steps of pairs of input channels: pixel r's bfloat16 inputs start at x[r] and
/// run on contiguously (two per step); the weights of step k start at w + k · 2 ·
/// LDK_PANEL_WIDTH, as ldk_pack_panels_bf16 lays them out.
LDK_INLINE void LDK_NAME(tile_accumulate_bf16_gather)(const int rows, const int vectors,
                                                      ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS],
                                                      const uint16_t *const x[LDK_TILE_ROWS], const uint16_t *w,
                                                      ptrdiff_t pairs) {
    for (ptrdiff_t k = 0; k < pairs; k++) {
        __m512bh wv[LDK_TILE_VECTORS];
        for (int v = 0; v < vectors; v++)
            wv[v] = (__m512bh)_mm512_loadu_si512(w + k * 2 * LDK_PANEL_WIDTH + v * 2 * LDK_LANES);
        for (int r = 0; r < rows; r++) {
            int32_t pair;
            memcpy(&pair, x[r] + 2 * k, sizeof pair);
            const __m512bh value = (__m512bh)_mm512_set1_epi32(pair);
            for (int v = 0; v < vectors; v++) sum[r][v] = _mm512_dpbf16_ps(sum[r][v], value, wv[v]);
        }
    }
}

/// tile_accumulate_bf16_gather for pixels one stride apart: pixel r's inputs start at
/// x + r · pixel_step.
LDK_INLINE void LDK_NAME(tile_accumulate_bf16)(const int rows, const int vectors,
                                               ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS], const uint16_t *x,
                                               ptrdiff_t pixel_step, const uint16_t *w, ptrdiff_t pairs) {
    const uint16_t *pixels[LDK_TILE_ROWS];
    for (int r = 0; r < rows; r++) pixels[r] = x + r * pixel_step;
    LDK_NAME(tile_accumulate_bf16_gather)(rows, vectors, sum, pixels, w, pairs);
}
