// The vector vocabulary the kernel bodies are written in, for any CPU: 4-lane vectors through
// the compiler's generic vector extension (SSE2 code on x86-64, NEON on arm64), no intrinsics.

#include <stddef.h>
#include <string.h>

#define LDK_ISA_SUFFIX portable
#define LDK_TARGET
#define LDK_LANES 4
/// Pixels per GEMM tile: 4 rows × 2 vectors = 8 of the 16 xmm registers as accumulators.
#define LDK_TILE_ROWS 4
/// Vectors per tile row: 2 × 4 lanes = a quarter of a 32-wide panel per pass.
#define LDK_TILE_VECTORS 2

typedef float ldk_vf __attribute__((vector_size(16)));
/// Lane masks: a comparison of two ldk_vf gives -1 (true) or 0 per lane.
typedef int ldk_vi __attribute__((vector_size(16)));

#define LDK_INLINE static inline __attribute__((always_inline))

LDK_INLINE ldk_vf vf_zero(void) { return (ldk_vf){0, 0, 0, 0}; }
LDK_INLINE ldk_vf vf_set1(float x) { return (ldk_vf){x, x, x, x}; }
LDK_INLINE ldk_vf vf_load(const float *p) {
    ldk_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
LDK_INLINE void vf_store(float *p, ldk_vf v) { memcpy(p, &v, sizeof v); }

/// The first `n` (< 4) lanes from memory, the rest zero.
LDK_INLINE ldk_vf vf_load_first(const float *p, ptrdiff_t n) {
    ldk_vf v = vf_zero();
    memcpy(&v, p, (size_t)n * sizeof(float));
    return v;
}

/// Stores the first `n` (< 4) lanes; memory past p + n is not written.
LDK_INLINE void vf_store_first(float *p, ldk_vf v, ptrdiff_t n) { memcpy(p, &v, (size_t)n * sizeof(float)); }

/// a · b + c (rounded twice: the portable target has no fused multiply-add).
LDK_INLINE ldk_vf vf_fmadd(ldk_vf a, ldk_vf b, ldk_vf c) { return a * b + c; }
LDK_INLINE ldk_vf vf_add(ldk_vf a, ldk_vf b) { return a + b; }
LDK_INLINE ldk_vf vf_sub(ldk_vf a, ldk_vf b) { return a - b; }
LDK_INLINE ldk_vf vf_mul(ldk_vf a, ldk_vf b) { return a * b; }
LDK_INLINE ldk_vf vf_div(ldk_vf a, ldk_vf b) { return a / b; }

/// Lane-wise select by comparison: bit-blend, because C has no vector `?:`.
LDK_INLINE ldk_vf vf_select(ldk_vi mask, ldk_vf a, ldk_vf b) {
    return (ldk_vf)((mask & (ldk_vi)a) | (~mask & (ldk_vi)b));
}
LDK_INLINE ldk_vf vf_min(ldk_vf a, ldk_vf b) { return vf_select(a < b, a, b); }
LDK_INLINE ldk_vf vf_max(ldk_vf a, ldk_vf b) { return vf_select(a > b, a, b); }

// Integer-exponent, rounding, reduction and comparison helpers for the math kernels
// (softmax_body.h, box_overlap_body.h).

/// The first `n` (< 4) lanes from memory, the other lanes `fill`.
LDK_INLINE ldk_vf vf_load_first_or(const float *p, ptrdiff_t n, float fill) {
    ldk_vf v = vf_set1(fill);
    memcpy(&v, p, (size_t)n * sizeof(float));
    return v;
}

/// Each lane rounded to the nearest integer (ties to even), still a float, for |x| < 2^22:
/// adding and removing 1.5 · 2^23 leaves no fraction bits (the compiler may not reassociate this).
LDK_INLINE ldk_vf vf_round_nearest(ldk_vf x) {
    const ldk_vf shifter = vf_set1(12582912.0f);
    return (x + shifter) - shifter;
}

/// 2^n per lane, for integer-valued n in [-126, 127] (built in the exponent field).
LDK_INLINE ldk_vf vf_power_of_two(ldk_vf n) {
    const ldk_vi biased = __builtin_convertvector(n, ldk_vi) + 127;
    return (ldk_vf)(biased << 23);
}

/// n / 2 rounded toward -∞ per lane, for integer-valued n (an arithmetic shift of the integer).
LDK_INLINE ldk_vf vf_half_floor(ldk_vf n) {
    return __builtin_convertvector(__builtin_convertvector(n, ldk_vi) >> 1, ldk_vf);
}

LDK_INLINE float vf_reduce_max(ldk_vf v) {
    float m = v[0];
    for (int i = 1; i < 4; i++) m = v[i] > m ? v[i] : m;
    return m;
}

LDK_INLINE float vf_reduce_add(ldk_vf v) { return (v[0] + v[2]) + (v[1] + v[3]); }

/// Bit i set where lane i has a ≥ b (false for NaN).
LDK_INLINE unsigned vf_mask_at_least(ldk_vf a, ldk_vf b) {
    const ldk_vi hits = a >= b;
    return (unsigned)((hits[0] & 1) | (hits[1] & 2) | (hits[2] & 4) | (hits[3] & 8));
}
