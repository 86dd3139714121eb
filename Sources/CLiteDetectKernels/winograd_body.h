// Winograd F(2×2, 3×3) for 3×3, stride 1, groups 1 convolutions, written once against the
// vector vocabulary (vector_<isa>.h).
//
// Each 2×2 block of output pixels ("tile") is computed from the 4×4 input patch under it as
// Y = Aᵀ [ Σ_c (G g Gᵀ)_c ⊙ (Bᵀ d B)_c ] A: 16 multiplies per input channel instead of 36, so
// 2.25× fewer than the direct kernel. The weights arrive already transformed (G g Gᵀ, packed at
// load by ldk_pack_winograd); per frame the kernel
//   1. transforms the input patches of a block of consecutive tiles (row-major over the tile
//      grid, so a block may run on into the next tile row and small maps still fill the
//      register tile), channels as the vector, into V[position][tile][channel] (the workspace),
//   2. for each of the 16 positions multiplies V[position] by U[position] with the register
//      tile of the GEMM (tile_body.h): tiles are the tile's rows, output channels its vectors,
//   3. transforms the 16 products of each tile back to 2×2 outputs, adds bias, residual and
//      activation in the common epilogue, and stores the pixels that exist.
// The products of one register tile (≤ LDK_TILE_ROWS tiles × one pass) go through a small
// buffer between steps 2 and 3, so the output transform reads them from L1.
//
// With LDK_WINOGRAD_BF16 defined (kernels_avx512bf16.c: LDK_KERNEL_WINOGRAD_BF16), V is rounded
// to bfloat16 as step 1 stores it, U arrives in bfloat16 (ldk_pack_winograd_bf16), both with the
// input channels in pairs (an odd count's last pair completed with zero), and step 2 multiplies
// them with VDPBF16PS (bf16_tile_body.h); the transforms and the sums stay float32.

#ifdef LDK_WINOGRAD_BF16
/// What V and U hold: bfloat16, input channels in pairs.
typedef uint16_t LDK_NAME(winograd_value);
/// Values per position and tile of V (per position and output channel of U): channels made even.
#define LDK_WINOGRAD_DEPTH(channels) (((channels) + 1) / 2 * 2)
#else
typedef float LDK_NAME(winograd_value);
#define LDK_WINOGRAD_DEPTH(channels) (channels)
#endif

/// Tiles per block when few channels leave room for more (the weights then stream less often).
#define LDK_WINOGRAD_MAX_BLOCK_TILES 32

_Static_assert(LDK_WINOGRAD_MIN_BLOCK_TILES >= LDK_TILE_ROWS, "a block must fill the register tile");
_Static_assert(16 * LDK_TILE_ROWS * LDK_PASS_WIDTH <= LDK_WINOGRAD_PRODUCT_FLOATS,
               "a register tile's products must fit the workspace");

/// Bᵀ · x · B along one dimension of four: the rows (or columns) of the transformed patch.
LDK_INLINE void LDK_NAME(winograd_input_1d)(ldk_vf x0, ldk_vf x1, ldk_vf x2, ldk_vf x3, ldk_vf out[4]) {
    out[0] = vf_sub(x0, x2);
    out[1] = vf_add(x1, x2);
    out[2] = vf_sub(x2, x1);
    out[3] = vf_sub(x1, x3);
}

/// Stores the first `count` (1 … LDK_LANES) lanes of one transformed vector into V.
LDK_INLINE void LDK_NAME(winograd_store_v)(LDK_NAME(winograd_value) * out, ldk_vf x, ptrdiff_t count) {
#ifdef LDK_WINOGRAD_BF16
    _mm256_mask_storeu_epi16(out, (__mmask16)((1u << count) - 1), (__m256i)_mm512_cvtneps_pbh(x));
#else
    if (count == LDK_LANES)
        vf_store(out, x);
    else
        vf_store_first(out, x, count);
#endif
}

/// The transformed input of one tile: the 4×4 patch whose top-left corner is image (iy0, ix0),
/// zeros outside the image, into v[position · position_stride + channel] for every channel (and
/// the pad channel, zero, that makes an odd count even in bfloat16).
LDK_INLINE void LDK_NAME(winograd_input_tile)(const ldk_feature_map *in, ptrdiff_t iy0, ptrdiff_t ix0,
                                              LDK_NAME(winograd_value) * v, ptrdiff_t position_stride) {
    const ptrdiff_t channels = in->channels, ps = in->pixel_stride;
    const float *rows[4];
    int column_inside[4];
    for (int i = 0; i < 4; i++) {
        const ptrdiff_t y = iy0 + i, x = ix0 + i;
        rows[i] = y >= 0 && y < in->height ? in->base + y * in->width * ps : NULL;
        column_inside[i] = x >= 0 && x < in->width;
    }
    const ptrdiff_t depth = LDK_WINOGRAD_DEPTH(channels);
    for (ptrdiff_t c = 0; c < channels; c += LDK_LANES) {
        const ptrdiff_t count = channels - c < LDK_LANES ? channels - c : LDK_LANES;
        // Lanes past the last channel load as zeros, so an odd count's pad channel stores a zero.
        const ptrdiff_t stored = depth - c < LDK_LANES ? depth - c : LDK_LANES;
        ldk_vf t[4][4];
        for (int i = 0; i < 4; i++) {
            ldk_vf d[4];
            for (int j = 0; j < 4; j++) {
                const float *p = rows[i] && column_inside[j] ? rows[i] + (ix0 + j) * ps + c : NULL;
                d[j] = !p ? vf_zero() : count == LDK_LANES ? vf_load(p) : vf_load_first(p, count);
            }
            LDK_NAME(winograd_input_1d)(d[0], d[1], d[2], d[3], t[i]);
        }
        for (int j = 0; j < 4; j++) {
            ldk_vf u[4];
            LDK_NAME(winograd_input_1d)(t[0][j], t[1][j], t[2][j], t[3][j], u);
            for (int i = 0; i < 4; i++) LDK_NAME(winograd_store_v)(v + (i * 4 + j) * position_stride + c, u[i], stored);
        }
    }
}

/// Aᵀ · x · A along one dimension: two outputs from four products.
LDK_INLINE void LDK_NAME(winograd_output_1d)(ldk_vf x0, ldk_vf x1, ldk_vf x2, ldk_vf x3, ldk_vf out[2]) {
    out[0] = vf_add(vf_add(x0, x1), x2);
    out[1] = vf_sub(vf_sub(x1, x2), x3);
}

/// Where one block of tiles reads and writes, for one pass of one panel.
typedef struct {
    const ldk_convolution *c;
    /// V of the block: position p, tile n, channel k at v[(p · tiles + n) · depth + k].
    const LDK_NAME(winograd_value) * v;
    ptrdiff_t tiles;
    /// U of the pass: position p, input channel k at u[p · position_values + k · 32] (in
    /// bfloat16 the pair of k at u[p · position_values + k / 2 · 64 + k % 2]).
    const LDK_NAME(winograd_value) * u;
    ptrdiff_t position_values;
    const float *bias;
    ptrdiff_t column, columns;
    /// The block's first tile, row-major in a grid `tile_columns` wide.
    ptrdiff_t first_tile, tile_columns;
    /// Output rows [row_begin, row_end) are this call's to write.
    ptrdiff_t row_begin, row_end;
    /// The products of one register tile: [position][tile][LDK_PASS_WIDTH].
    float (*m)[LDK_TILE_ROWS][LDK_PASS_WIDTH];
} LDK_NAME(winograd_block);

/// `rows` tiles from tile n of the block × `vectors` vectors of the pass: 16 register-tile
/// GEMMs, then the output transform; both constants after inlining.
LDK_INLINE void LDK_NAME(winograd_tiles)(const int rows, const int vectors, const LDK_NAME(winograd_block) * b,
                                         ptrdiff_t n, ldk_activation activation) {
    const ldk_convolution *c = b->c;
    const ptrdiff_t depth = LDK_WINOGRAD_DEPTH(c->input.channels);
    float(*m)[LDK_TILE_ROWS][LDK_PASS_WIDTH] = b->m;
    for (int p = 0; p < 16; p++) {
        ldk_vf sum[LDK_TILE_ROWS][LDK_TILE_VECTORS];
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < vectors; q++) sum[r][q] = vf_zero();
#ifdef LDK_WINOGRAD_BF16
        LDK_NAME(tile_accumulate_bf16)
        (rows, vectors, sum, b->v + (p * b->tiles + n) * depth, depth, b->u + p * b->position_values, depth / 2);
#else
        LDK_NAME(tile_accumulate)
        (rows, vectors, sum, b->v + (p * b->tiles + n) * depth, depth, b->u + p * b->position_values, depth);
#endif
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < vectors; q++) vf_store(&m[p][r][q * LDK_LANES], sum[r][q]);
    }

    const ptrdiff_t out_ps = c->output.pixel_stride, res_ps = c->residual.pixel_stride, width = c->output.width;
    for (int r = 0; r < rows; r++) {
        const ptrdiff_t tile = b->first_tile + n + r;
        const ptrdiff_t oy0 = 2 * (tile / b->tile_columns), ox0 = 2 * (tile % b->tile_columns);
        for (int q = 0; q < vectors; q++) {
            const ptrdiff_t count = b->columns - q * LDK_LANES;
            if (count <= 0) break;
            ldk_vf t[2][4];
            for (int j = 0; j < 4; j++) {
                ldk_vf y[2];
                LDK_NAME(winograd_output_1d)
                (vf_load(&m[0 + j][r][q * LDK_LANES]), vf_load(&m[4 + j][r][q * LDK_LANES]),
                 vf_load(&m[8 + j][r][q * LDK_LANES]), vf_load(&m[12 + j][r][q * LDK_LANES]), y);
                t[0][j] = y[0];
                t[1][j] = y[1];
            }
            const ldk_vf bias = vf_load(b->bias + q * LDK_LANES);
            for (int i = 0; i < 2; i++) {
                const ptrdiff_t oy = oy0 + i;
                if (oy < b->row_begin || oy >= b->row_end) continue;
                ldk_vf y[2];
                LDK_NAME(winograd_output_1d)(t[i][0], t[i][1], t[i][2], t[i][3], y);
                for (int j = 0; j < 2; j++) {
                    const ptrdiff_t ox = ox0 + j;
                    if (ox >= width) break;
                    const ptrdiff_t pixel = oy * width + ox, column = b->column + q * LDK_LANES;
                    ldk_store(c->output.base + pixel * out_ps + column,
                              c->residual.base ? c->residual.base + pixel * res_ps + column : NULL, vf_add(y[j], bias),
                              activation, count);
                }
            }
        }
    }
}

/// Every tile of one block for one pass, `vectors` (a constant after inlining) vectors wide.
LDK_INLINE void LDK_NAME(winograd_pass)(const int vectors, const LDK_NAME(winograd_block) * b,
                                        ldk_activation activation) {
    ptrdiff_t n = 0;
    for (; n + LDK_TILE_ROWS <= b->tiles; n += LDK_TILE_ROWS)
        LDK_NAME(winograd_tiles)(LDK_TILE_ROWS, vectors, b, n, activation);
    // Fewer than LDK_TILE_ROWS (≤ 8) tiles left: one register tile per set bit.
    if ((b->tiles - n) & 4) {
        LDK_NAME(winograd_tiles)(4, vectors, b, n, activation);
        n += 4;
    }
    if ((b->tiles - n) & 2) {
        LDK_NAME(winograd_tiles)(2, vectors, b, n, activation);
        n += 2;
    }
    if ((b->tiles - n) & 1) {
        LDK_NAME(winograd_tiles)(1, vectors, b, n, activation);
        n += 1;
    }
}

/// Output rows [row_begin, row_end) with `activation` a constant after inlining. Tiles are
/// aligned to even output rows whatever the range, so every thread split computes each pixel
/// the same way; a range starting or ending mid-tile computes that tile and stores its own row.
LDK_INLINE void LDK_NAME(winograd_with)(const ldk_convolution *c, const ldk_activation activation, ptrdiff_t row_begin,
                                        ptrdiff_t row_end, LDK_NAME(winograd_value) * v,
                                        float (*m)[LDK_TILE_ROWS][LDK_PASS_WIDTH]) {
    const ptrdiff_t channels = c->input.channels, depth = LDK_WINOGRAD_DEPTH(channels), outputs = c->output.channels;
    const ptrdiff_t panels = (outputs + LDK_PANEL_WIDTH - 1) / LDK_PANEL_WIDTH;
    const ptrdiff_t tile_columns = (c->output.width + 1) / 2;
    const ptrdiff_t scratch_values = LDK_WINOGRAD_INPUT_FLOATS * sizeof(float) / sizeof(LDK_NAME(winograd_value));
    ptrdiff_t block = scratch_values / (16 * (depth > 0 ? depth : 1));
    if (block > LDK_WINOGRAD_MAX_BLOCK_TILES) block = LDK_WINOGRAD_MAX_BLOCK_TILES;
    block -= block % LDK_TILE_ROWS; // whole register tiles, except at the end of the range

    // The tile rows that hold output rows [row_begin, row_end), as one row-major run of tiles.
    const ptrdiff_t end_tile = (row_end + 1) / 2 * tile_columns;
    for (ptrdiff_t first_tile = row_begin / 2 * tile_columns; first_tile < end_tile; first_tile += block) {
        const ptrdiff_t tiles = end_tile - first_tile < block ? end_tile - first_tile : block;
        for (ptrdiff_t n = 0; n < tiles; n++) {
            const ptrdiff_t ty = (first_tile + n) / tile_columns, tx = (first_tile + n) % tile_columns;
            LDK_NAME(winograd_input_tile)
            (&c->input, 2 * ty - c->pad_top, 2 * tx - c->pad_left, v + n * depth, tiles * depth);
        }
        for (ptrdiff_t p = 0; p < panels; p++) {
            for (ptrdiff_t offset = 0; offset < LDK_PANEL_WIDTH; offset += LDK_PASS_WIDTH) {
                LDK_NAME(winograd_block)
                b = {
                    .c = c,
                    .v = v,
                    .tiles = tiles,
#ifdef LDK_WINOGRAD_BF16
                    .u = c->packed_bf16_weights + p * depth * LDK_PANEL_WIDTH + 2 * offset,
#else
                    .u = c->packed_weights + p * depth * LDK_PANEL_WIDTH + offset,
#endif
                    .position_values = panels * depth * LDK_PANEL_WIDTH,
                    .bias = c->packed_bias + p * LDK_PANEL_WIDTH + offset,
                    .column = p * LDK_PANEL_WIDTH + offset,
                    .columns = outputs - p * LDK_PANEL_WIDTH - offset,
                    .first_tile = first_tile,
                    .tile_columns = tile_columns,
                    .row_begin = row_begin,
                    .row_end = row_end,
                    .m = m,
                };
                if (b.columns <= 0) break;
                // A pass with at most one vector of channels left computes just that vector.
                if (b.columns <= LDK_LANES)
                    LDK_NAME(winograd_pass)(1, &b, activation);
                else
                    LDK_NAME(winograd_pass)(LDK_TILE_VECTORS, &b, activation);
            }
        }
    }
}

/// `scratch` is the thread's workspace slot (ldk_kernel_workspace_bytes): the transformed-input
/// block V (LDK_WINOGRAD_INPUT_FLOATS floats), then one register tile's products M.
LDK_TARGET void LDK_NAME(winograd)(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end, void *scratch) {
    LDK_NAME(winograd_value) *v = scratch;
    float(*m)[LDK_TILE_ROWS][LDK_PASS_WIDTH] = (void *)((float *)scratch + LDK_WINOGRAD_INPUT_FLOATS);
    LDK_WITH_CONSTANT_ACTIVATION(LDK_NAME(winograd_with), c, row_begin, row_end, v, m);
}
