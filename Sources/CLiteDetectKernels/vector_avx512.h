// The vector vocabulary the kernel bodies are written in, for AVX-512 (16 float lanes).
// Every function carries the target attribute, so this file needs no global -m flags.

#include <immintrin.h>
#include <stddef.h>

// A file compiling more than plain AVX-512 (kernels_avx512bf16.c) defines both names first.
#ifndef LDK_ISA_SUFFIX
#define LDK_ISA_SUFFIX avx512
#define LDK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx2")))
#endif
#define LDK_LANES 16
/// Pixels per GEMM tile: 8 rows × 2 vectors = 16 of the 32 zmm registers as accumulators.
#define LDK_TILE_ROWS 8
/// Vectors per tile row: 2 × 16 lanes = one whole 32-wide panel per pass.
#define LDK_TILE_VECTORS 2

typedef __m512 ldk_vf;

#define LDK_INLINE static inline __attribute__((always_inline)) LDK_TARGET

LDK_INLINE ldk_vf vf_zero(void) { return _mm512_setzero_ps(); }
LDK_INLINE ldk_vf vf_set1(float x) { return _mm512_set1_ps(x); }
LDK_INLINE ldk_vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
LDK_INLINE void vf_store(float *p, ldk_vf v) { _mm512_storeu_ps(p, v); }

/// The first `n` (< 16) lanes from memory, the rest zero; never touches memory past p + n.
LDK_INLINE ldk_vf vf_load_first(const float *p, ptrdiff_t n) {
    return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
}

/// Stores the first `n` (< 16) lanes; memory past p + n is not written.
LDK_INLINE void vf_store_first(float *p, ldk_vf v, ptrdiff_t n) {
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v);
}

/// a · b + c
LDK_INLINE ldk_vf vf_fmadd(ldk_vf a, ldk_vf b, ldk_vf c) { return _mm512_fmadd_ps(a, b, c); }
LDK_INLINE ldk_vf vf_add(ldk_vf a, ldk_vf b) { return _mm512_add_ps(a, b); }
LDK_INLINE ldk_vf vf_sub(ldk_vf a, ldk_vf b) { return _mm512_sub_ps(a, b); }
LDK_INLINE ldk_vf vf_mul(ldk_vf a, ldk_vf b) { return _mm512_mul_ps(a, b); }
LDK_INLINE ldk_vf vf_div(ldk_vf a, ldk_vf b) { return _mm512_div_ps(a, b); }
LDK_INLINE ldk_vf vf_min(ldk_vf a, ldk_vf b) { return _mm512_min_ps(a, b); }
LDK_INLINE ldk_vf vf_max(ldk_vf a, ldk_vf b) { return _mm512_max_ps(a, b); }

// Integer-exponent, rounding, reduction and comparison helpers for the math kernels
// (softmax_body.h, box_overlap_body.h).

/// The first `n` (< 16) lanes from memory, the other lanes `fill`.
LDK_INLINE ldk_vf vf_load_first_or(const float *p, ptrdiff_t n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16)((1u << n) - 1), p);
}

/// Each lane rounded to the nearest integer (ties to even), still a float.
LDK_INLINE ldk_vf vf_round_nearest(ldk_vf x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/// 2^n per lane, for integer-valued n in [-126, 127] (built in the exponent field).
LDK_INLINE ldk_vf vf_power_of_two(ldk_vf n) {
    const __m512i biased = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(biased, 23));
}

/// n / 2 rounded toward -∞ per lane, for integer-valued n.
LDK_INLINE ldk_vf vf_half_floor(ldk_vf n) {
    return _mm512_roundscale_ps(_mm512_mul_ps(n, _mm512_set1_ps(0.5f)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}

LDK_INLINE float vf_reduce_max(ldk_vf v) { return _mm512_reduce_max_ps(v); }
LDK_INLINE float vf_reduce_add(ldk_vf v) { return _mm512_reduce_add_ps(v); }

/// Bit i set where lane i has a ≥ b (false for NaN).
LDK_INLINE unsigned vf_mask_at_least(ldk_vf a, ldk_vf b) { return (unsigned)_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
