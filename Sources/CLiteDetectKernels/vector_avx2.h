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
LDK_INLINE ldk_vf vf_min(ldk_vf a, ldk_vf b) { return _mm256_min_ps(a, b); }
LDK_INLINE ldk_vf vf_max(ldk_vf a, ldk_vf b) { return _mm256_max_ps(a, b); }
