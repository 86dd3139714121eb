// The register tile shared by the GEMM (pointwise_body.h) and the direct convolution
// (direct_body.h), written once against the vector vocabulary (vector_<isa>.h).
//
// A tile is `rows` output pixels × `vectors` · LDK_LANES output channels of one panel, summed in
// registers. Each step loads the weight vectors of one input channel once and broadcasts that
// input channel's value of each pixel against them. `rows` and `vectors` are constants after
// inlining, so the arrays below become registers.

// The drivers finish a row of pixels with tiles of 4, 2 and 1 (the bits of what is left), and
// cover a panel in whole passes.
_Static_assert(LDK_TILE_ROWS <= 8, "remainder tiles assume fewer than 8 pixels left");
_Static_assert(LDK_PANEL_WIDTH % LDK_PASS_WIDTH == 0, "passes must tile a panel");

/// Starts every row of the tile at the bias.
LDK_INLINE void LDK_NAME(tile_start)(const int rows, const int vectors, ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS],
                                     const float *bias) {
    for (int v = 0; v < vectors; v++) {
        ldk_vf b = vf_load(bias + v * LDK_LANES);
        for (int r = 0; r < rows; r++) sum[r][v] = b;
    }
}

/// Adds `n` steps: pixel r's input values start at x + r · pixel_step and run on contiguously;
/// the weights of step k start at w + k · LDK_PANEL_WIDTH.
LDK_INLINE void LDK_NAME(tile_accumulate)(const int rows, const int vectors,
                                          ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS], const float *x,
                                          ptrdiff_t pixel_step, const float *w, ptrdiff_t n) {
    for (ptrdiff_t k = 0; k < n; k++) {
        ldk_vf wv[LDK_TILE_VECTORS];
        for (int v = 0; v < vectors; v++) wv[v] = vf_load(w + k * LDK_PANEL_WIDTH + v * LDK_LANES);
        for (int r = 0; r < rows; r++) {
            ldk_vf value = vf_set1(x[r * pixel_step + k]);
            for (int v = 0; v < vectors; v++) sum[r][v] = vf_fmadd(value, wv[v], sum[r][v]);
        }
    }
}

/// Stores the tile's first `columns` channels of each row (activation(sum + residual)); rows
/// are `output_stride` / `residual_stride` floats apart, `residual` NULL for none.
LDK_INLINE void LDK_NAME(tile_store)(const int rows, const int vectors, ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS],
                                     float *output, ptrdiff_t output_stride, const float *residual,
                                     ptrdiff_t residual_stride, ptrdiff_t columns, ldk_activation activation) {
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            ptrdiff_t count = columns - v * LDK_LANES;
            if (count <= 0) break;
            ldk_store(output + r * output_stride + v * LDK_LANES,
                      residual ? residual + r * residual_stride + v * LDK_LANES : NULL, sum[r][v], activation, count);
        }
    }
}
