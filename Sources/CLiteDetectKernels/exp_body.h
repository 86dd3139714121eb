// e^x for a vector of floats, written once against the vector vocabulary (vector_<isa>.h) for
// the math kernels (softmax_body.h). Generic math: nothing here knows what the numbers mean.
//
// Method (the textbook one, e.g. Cody & Waite; Muller, "Elementary Functions", ch. 11):
// x = n·ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, so e^x = 2^n · e^r; e^r is its
// Taylor polynomial of degree 7 (truncation error < r^8/8! ≤ 5.2e-9 relative, ~0.09 ulp), and
// 2^n is built in the exponent field — in two halves where 2^n itself is not a normal float, so
// results in the subnormal range are rounded once, not flushed to zero. ln 2 is split into a part with 8 significant bits (n·C1
// is exact for |n| < 2^16) and a small correction, so r keeps its low bits.
//
// Measured against double-precision exp on all 2,239,889,410 floats in [-104, 89]
// (2026-12-05, AMD EPYC Zen 4): at most 0.939 ulp with FMA (AVX2, AVX-512), 1.218 ulp without
// (portable: the reduction and Horner steps round twice); results in the subnormal range within
// 0.85 of their ulp (2^-149). VectorMathTests checks a strided subset on every ISA.

/// ln 2 = LDK_LN2_HIGH + LDK_LN2_LOW; LDK_LN2_HIGH = 355 / 512 exactly.
#define LDK_LN2_HIGH 0.693359375f
#define LDK_LN2_LOW (-2.12194440e-4f)

/// e^x per lane for x already clamped into [-104, 89] (or NaN). `nonpositive`, a constant at
/// each call: the caller guarantees x ≤ 0, so 2^n can only fall short of a normal float.
LDK_INLINE ldk_vf LDK_NAME(exp_clamped)(ldk_vf x, int nonpositive) {
    const ldk_vf n = vf_round_nearest(vf_mul(x, vf_set1(1.44269504088896341f)));
    ldk_vf r = vf_sub(x, vf_mul(n, vf_set1(LDK_LN2_HIGH)));
    r = vf_fmadd(n, vf_set1(-LDK_LN2_LOW), r);
    // e^r: Horner's rule over 1/k!, k = 7 … 0.
    ldk_vf p = vf_set1(1.0f / 5040);
    p = vf_fmadd(p, r, vf_set1(1.0f / 720));
    p = vf_fmadd(p, r, vf_set1(1.0f / 120));
    p = vf_fmadd(p, r, vf_set1(1.0f / 24));
    p = vf_fmadd(p, r, vf_set1(1.0f / 6));
    p = vf_fmadd(p, r, vf_set1(0.5f));
    p = vf_fmadd(p, r, vf_set1(1.0f));
    p = vf_fmadd(p, r, vf_set1(1.0f));
    // Where every lane's 2^n is a normal float (n ∈ [-126, 127]: all but the far tails), one
    // product; it rounds once, as the two-halves route below does, so the results are the same.
    const unsigned normal = nonpositive ? vf_mask_at_least(n, vf_set1(-126.0f))
                                        : vf_mask_at_least(n, vf_set1(-126.0f)) & vf_mask_at_least(vf_set1(127.0f), n);
    if (normal == (1u << LDK_LANES) - 1) return vf_mul(p, vf_power_of_two(n));
    // n ∈ [-150, 128]: both halves are normal powers of two; the first product is exact.
    const ldk_vf half = vf_half_floor(n);
    return vf_mul(vf_mul(p, vf_power_of_two(half)), vf_power_of_two(vf_sub(n, half)));
}

/// e^x per lane: 0 for x < -104 (and -∞), +∞ for x > 89 (and +∞), NaN for NaN.
LDK_INLINE ldk_vf LDK_NAME(exp_vector)(ldk_vf x) {
    // Outside [-104, 89] the float result is already 0 or +∞; clamping keeps n in range. The
    // clamp bound comes first in vf_max / vf_min, so a NaN x falls through to the result.
    return LDK_NAME(exp_clamped)(vf_min(vf_set1(89.0f), vf_max(vf_set1(-104.0f), x)), 0);
}

/// exp_vector for x ≤ 0 or NaN (softmax's e^(x - max)), the same results with fewer steps.
LDK_INLINE ldk_vf LDK_NAME(exp_nonpositive_vector)(ldk_vf x) {
    return LDK_NAME(exp_clamped)(vf_max(vf_set1(-104.0f), x), 1);
}

LDK_TARGET void LDK_NAME(exp)(const float *input, ptrdiff_t count, float *output) {
    ptrdiff_t i = 0;
    for (; i + LDK_LANES <= count; i += LDK_LANES) vf_store(output + i, LDK_NAME(exp_vector)(vf_load(input + i)));
    if (i < count) vf_store_first(output + i, LDK_NAME(exp_vector)(vf_load_first(input + i, count - i)), count - i);
}
