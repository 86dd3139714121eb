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
LDK_INLINE ldk_vf vf_load(const float *p) { ldk_vf v; memcpy(&v, p, sizeof v); return v; }
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

/// Lane-wise select by comparison: bit-blend, because C has no vector `?:`.
LDK_INLINE ldk_vf vf_select(ldk_vi mask, ldk_vf a, ldk_vf b) { return (ldk_vf)((mask & (ldk_vi)a) | (~mask & (ldk_vi)b)); }
LDK_INLINE ldk_vf vf_min(ldk_vf a, ldk_vf b) { return vf_select(a < b, a, b); }
LDK_INLINE ldk_vf vf_max(ldk_vf a, ldk_vf b) { return vf_select(a > b, a, b); }
