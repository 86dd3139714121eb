// Softmax over the rows of a matrix, written once against the vector vocabulary
// (vector_<isa>.h) and exp_body.h's e^x. Generic math: nothing here knows what a row means.
//
// Per row: m = max(x), e_j = e^(x_j - m) (≤ 1, so nothing overflows), s = Σ e_j (lane-wise
// partial sums, then across lanes), y_j = e_j · (1 / s). Each y_j is then within a few ulp of
// the exact softmax (VectorMathTests measures it against double precision); the summation
// order differs between ISAs, so the last bit may too.
//
// With `masks`, the pass that writes y also marks which y_j exceed a threshold, as bits, so a
// caller can visit only those (iterating set bits) without reading the rows again.

/// Rows per step of softmax_rows: each of its three passes runs over this many rows, whose
/// reductions are independent, so the core overlaps their latencies (a row at a time, each waits
/// on its own max, then sum, reduction chain: ~20 % slower for 91 columns on Zen 4).
#define LDK_SOFTMAX_ROWS_PER_STEP 8

LDK_TARGET void LDK_NAME(softmax_rows)(const float *input, ptrdiff_t rows, ptrdiff_t columns,
                                       ptrdiff_t input_row_stride, float *output, ptrdiff_t output_row_stride,
                                       float threshold, uint64_t *masks) {
    const ptrdiff_t whole = columns / LDK_LANES * LDK_LANES, rest = columns - whole;
    const ptrdiff_t words = (columns + 63) / 64;
    // y ≥ t' with t' the next float above t is y > t (NaN fails both); above +∞ nothing passes.
    const float above =
        threshold == __builtin_inff() ? __builtin_nanf("") : __builtin_nextafterf(threshold, __builtin_inff());
    const ldk_vf minimum = vf_set1(above);
    float shifts[LDK_SOFTMAX_ROWS_PER_STEP], reciprocals[LDK_SOFTMAX_ROWS_PER_STEP];
    for (ptrdiff_t first = 0; first < rows; first += LDK_SOFTMAX_ROWS_PER_STEP) {
        const ptrdiff_t step = rows - first < LDK_SOFTMAX_ROWS_PER_STEP ? rows - first : LDK_SOFTMAX_ROWS_PER_STEP;
        // Each row's maximum. Tail lanes are -∞: they change no maximum and add e^-∞ = 0 to the sum.
        for (ptrdiff_t r = 0; r < step; r++) {
            const float *x = input + (first + r) * input_row_stride;
            ldk_vf largest = vf_set1(-__builtin_inff());
            for (ptrdiff_t j = 0; j < whole; j += LDK_LANES) largest = vf_max(largest, vf_load(x + j));
            if (rest) largest = vf_max(largest, vf_load_first_or(x + whole, rest, -__builtin_inff()));
            shifts[r] = vf_reduce_max(largest);
        }
        // e^(x - max) into the output, and 1 / Σ.
        for (ptrdiff_t r = 0; r < step; r++) {
            const float *x = input + (first + r) * input_row_stride;
            float *y = output + (first + r) * output_row_stride;
            const ldk_vf shift = vf_set1(shifts[r]);
            ldk_vf sums = vf_zero();
            for (ptrdiff_t j = 0; j < whole; j += LDK_LANES) {
                const ldk_vf e = LDK_NAME(exp_nonpositive_vector)(vf_sub(vf_load(x + j), shift));
                vf_store(y + j, e);
                sums = vf_add(sums, e);
            }
            if (rest) {
                const ldk_vf e = LDK_NAME(exp_nonpositive_vector)(
                    vf_sub(vf_load_first_or(x + whole, rest, -__builtin_inff()), shift));
                vf_store_first(y + whole, e, rest);
                sums = vf_add(sums, e);
            }
            reciprocals[r] = 1.0f / vf_reduce_add(sums);
        }
        for (ptrdiff_t r = 0; r < step; r++) {
            float *y = output + (first + r) * output_row_stride;
            const ldk_vf reciprocal = vf_set1(reciprocals[r]);
            if (!masks) {
                for (ptrdiff_t j = 0; j < whole; j += LDK_LANES) vf_store(y + j, vf_mul(vf_load(y + j), reciprocal));
                if (rest) vf_store_first(y + whole, vf_mul(vf_load_first(y + whole, rest), reciprocal), rest);
                continue;
            }
            // LDK_LANES divides 64, so no vector's bits straddle two words.
            uint64_t *mask = masks + (first + r) * words;
            for (ptrdiff_t w = 0; w < words; w++) mask[w] = 0;
            for (ptrdiff_t j = 0; j < whole; j += LDK_LANES) {
                const ldk_vf v = vf_mul(vf_load(y + j), reciprocal);
                vf_store(y + j, v);
                mask[j / 64] |= (uint64_t)vf_mask_at_least(v, minimum) << (j % 64);
            }
            if (rest) {
                const ldk_vf v = vf_mul(vf_load_first(y + whole, rest), reciprocal);
                vf_store_first(y + whole, v, rest);
                const uint64_t hits = vf_mask_at_least(v, minimum) & ((1u << rest) - 1);
                mask[whole / 64] |= hits << (whole % 64);
            }
        }
    }
}
