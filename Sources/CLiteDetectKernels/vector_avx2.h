// The vector vocabulary the kernel bodies are written in, for AVX2 + FMA3 (8 float lanes).
// Every function carries the target attribute, so this file needs no global -m flags.

#include <immintrin.h>
#include <stddef.h>

#define LDK_ISA_SUFFIX avx2
#define LDK_TARGET __attribute__((target("avx2,fma")))
#define LDK_LANES 8
/// Pixels per GEMM tile: 6 rows × 2 vectors = 12 of the 16 ymm registers as accumulators.
#define LDK_TILE_ROWS 6
/// Vectors per tile row: 2 × 8 lanes = half a 32-wide panel per pass.
#define LDK_TILE_VECTORS 2

typedef __m256 ldk_vf;

#define LDK_INLINE static inline __attribute__((always_inline)) LDK_TARGET

LDK_INLINE ldk_vf vf_zero(void) { return _mm256_setzero_ps(); }
LDK_INLINE ldk_vf vf_set1(float x) { return _mm256_set1_ps(x); }
LDK_INLINE ldk_vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
LDK_INLINE void vf_store(float *p, ldk_vf v) { _mm256_storeu_ps(p, v); }

/// Lane masks for the first n lanes: 8 - n entries into this table.
static const int ldk_avx2_lane_masks[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

/// The first `n` (< 8) lanes from memory, the rest zero; masked lanes never fault.
LDK_INLINE ldk_vf vf_load_first(const float *p, ptrdiff_t n) {
    return _mm256_maskload_ps(p, _mm256_loadu_si256((const __m256i *)(ldk_avx2_lane_masks + 8 - n)));
}

/// Stores the first `n` (< 8) lanes; memory past p + n is not written.
LDK_INLINE void vf_store_first(float *p, ldk_vf v, ptrdiff_t n) {
    _mm256_maskstore_ps(p, _mm256_loadu_si256((const __m256i *)(ldk_avx2_lane_masks + 8 - n)), v);
}

/// a · b + c
LDK_INLINE ldk_vf vf_fmadd(ldk_vf a, ldk_vf b, ldk_vf c) { return _mm256_fmadd_ps(a, b, c); }
LDK_INLINE ldk_vf vf_add(ldk_vf a, ldk_vf b) { return _mm256_add_ps(a, b); }
LDK_INLINE ldk_vf vf_sub(ldk_vf a, ldk_vf b) { return _mm256_sub_ps(a, b); }
LDK_INLINE ldk_vf vf_mul(ldk_vf a, ldk_vf b) { return _mm256_mul_ps(a, b); }
LDK_INLINE ldk_vf vf_div(ldk_vf a, ldk_vf b) { return _mm256_div_ps(a, b); }
LDK_INLINE ldk_vf vf_min(ldk_vf a, ldk_vf b) { return _mm256_min_ps(a, b); }
LDK_INLINE ldk_vf vf_max(ldk_vf a, ldk_vf b) { return _mm256_max_ps(a, b); }

// Integer-exponent, rounding, reduction and comparison helpers for the math kernels
// (softmax_body.h, box_overlap_body.h).

/// The first `n` (< 8) lanes from memory, the other lanes `fill`.
LDK_INLINE ldk_vf vf_load_first_or(const float *p, ptrdiff_t n, float fill) {
    const __m256i mask = _mm256_loadu_si256((const __m256i *)(ldk_avx2_lane_masks + 8 - n));
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
}

/// Each lane rounded to the nearest integer (ties to even), still a float.
LDK_INLINE ldk_vf vf_round_nearest(ldk_vf x) {
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/// 2^n per lane, for integer-valued n in [-126, 127] (built in the exponent field).
LDK_INLINE ldk_vf vf_power_of_two(ldk_vf n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
}

/// n / 2 rounded toward -∞ per lane, for integer-valued n.
LDK_INLINE ldk_vf vf_half_floor(ldk_vf n) {
    return _mm256_round_ps(_mm256_mul_ps(n, _mm256_set1_ps(0.5f)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}

LDK_INLINE float vf_reduce_max(ldk_vf v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

LDK_INLINE float vf_reduce_add(ldk_vf v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Bit i set where lane i has a ≥ b (false for NaN).
LDK_INLINE unsigned vf_mask_at_least(ldk_vf a, ldk_vf b) {
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_GE_OQ));
}
