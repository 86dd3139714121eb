// Fast convolution, pooling and element-wise kernels for channels-last (NHWC, batch 1) float
// feature maps.
//
// Each kernel exists once per instruction set (AVX-512, AVX2+FMA, portable C); the one this CPU
// can run is chosen once, at first use, with __builtin_cpu_supports. Weights are repacked once
// (at load) by the ldk_pack_* functions into the layout the kernels stream; the kernels
// themselves allocate nothing.

#ifndef CLITEDETECTKERNELS_H
#define CLITEDETECTKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets a kernel variant can be compiled for, best last.
typedef enum {
    /// Plain C with 4-wide vector extensions: SSE2 on any x86-64, NEON on arm64.
    LDK_ISA_PORTABLE = 0,
    /// AVX2 with FMA3, 8 lanes (Haswell, Zen 1 and later).
    LDK_ISA_AVX2 = 1,
    /// AVX-512 F/BW/VL/DQ, 16 lanes (Skylake-SP, Ice Lake, Zen 4 and later).
    LDK_ISA_AVX512 = 2,
} ldk_isa;

/// The best instruction set this CPU (and OS) supports; detected once, then cached.
ldk_isa ldk_selected_isa(void);

/// Whether this CPU can run the kernels compiled for `isa` (it is not above ldk_selected_isa()).
int ldk_isa_is_supported(ldk_isa isa);

/// The environment variable that caps the instruction set (portable, avx2 or avx512), so the
/// AVX2-only and portable paths can be measured on a CPU that has more.
#define LDK_ISA_ENVIRONMENT_VARIABLE "LITEDETECT_ISA"

/// What ldk_selected_isa() is capped to by LITEDETECT_ISA: -1 when the variable is unset or
/// empty, -2 when it names no instruction set (it is then ignored), else the ldk_isa named.
int ldk_isa_environment_cap(void);

/// Whether this CPU and OS run the bfloat16 kernels (the _BF16 kernels below): AVX-512 selected
/// (not capped by LITEDETECT_ISA) and AVX512_BF16's VDPBF16PS.
int ldk_bf16_is_supported(void);

/// What the kernels know of this CPU besides its instruction set; 0 (or "") where unknown.
typedef struct {
    /// The brand string, e.g. "AMD EPYC 9R14 96-Core Processor".
    char model[49];
    /// Bytes of level-1 data cache, level-2 and level-3 cache (per core for L1 and L2).
    long l1d_bytes, l2_bytes, l3_bytes;
} ldk_cpu_info;

/// This CPU, read once (CPUID and sysfs; the first call reads files, so make it at load).
const ldk_cpu_info *ldk_cpu(void);

/// The cache budgets of the GEMM and of banded execution, derived once from this CPU's L2 size
/// (ldk_cpu()).
typedef struct {
    /// Input floats (pixels × input channels) of one chunk, kept in L2 while the panels stream past.
    ptrdiff_t chunk_floats;
    /// Weights of at most this many floats stay in L2 themselves: the pixels stream instead.
    ptrdiff_t small_weight_floats;
    /// Bytes of band buffers one thread keeps while a chain of layers runs band by band.
    ptrdiff_t band_bytes;
    /// Maps of at least this many bytes are worth banding; smaller ones stay in L2 layer by layer.
    ptrdiff_t band_map_bytes;
} ldk_blocking;

const ldk_blocking *ldk_cache_blocking(void);

/// The activation applied to every output value after bias (and residual) are added.
typedef enum {
    LDK_ACTIVATION_IDENTITY = 0,
    LDK_ACTIVATION_RELU = 1,
    /// min(max(x, 0), 6)
    LDK_ACTIVATION_RELU6 = 2,
    /// x · min(max(x + 3, 0), 6) / 6
    LDK_ACTIVATION_HARD_SWISH = 3,
    /// min(max(x + 3, 0), 6) / 6
    LDK_ACTIVATION_HARD_SIGMOID = 4,
} ldk_activation;

/// A window onto a channels-last feature map: pixel (y, x) starts at
/// base + (y · width + x) · pixel_stride and holds `channels` consecutive floats.
/// pixel_stride ≥ channels lets a view be a channel slice of a wider map.
typedef struct {
    float *base;
    ptrdiff_t height, width, channels, pixel_stride;
} ldk_feature_map;

/// Everything one convolution call needs. The output's height and width must be the
/// convolution's output size for this input, kernel, stride and top/left padding; the
/// bottom/right padding is whatever that size implies.
typedef struct {
    /// Read only; must not overlap `output`.
    ldk_feature_map input;
    /// Written: exactly `channels` floats per pixel, nothing in between.
    ldk_feature_map output;
    /// Optional (base NULL for none): a map of the output's shape added before the activation,
    /// output = activation(convolution + bias + residual). May alias `output` exactly.
    ldk_feature_map residual;
    /// From the ldk_pack_* function matching the kernel (NULL for the _BF16 kernels).
    const float *packed_weights;
    /// From ldk_pack_panels_bf16, for the _BF16 kernels only (NULL for the others).
    const uint16_t *packed_bf16_weights;
    /// From the same pack function (padded to the packed layout).
    const float *packed_bias;
    ptrdiff_t kernel_height, kernel_width, stride, pad_top, pad_left, groups;
    ldk_activation activation;
} ldk_convolution;

// MARK: Output-channel panels (1×1 GEMM and direct convolution)

/// Output channels per packed panel: the width of the GEMM micro-kernel's tile.
#define LDK_PANEL_WIDTH 32

/// Floats in the panel-packed weights of a convolution with `groups` groups, `output_channels`
/// outputs in all, `taps` = kernel_height · kernel_width and `input_channels_per_group`.
size_t ldk_panel_weight_count(ptrdiff_t output_channels, ptrdiff_t groups, ptrdiff_t taps,
                              ptrdiff_t input_channels_per_group);
/// Floats in the padded bias that goes with panel-packed weights.
size_t ldk_panel_bias_count(ptrdiff_t output_channels, ptrdiff_t groups);

/// Repacks OHWI weights `[output][kernel_h][kernel_w][input/groups]` (and one bias per output, or
/// NULL for zeros) into panels `[group][panel][tap][input/groups][LDK_PANEL_WIDTH]`, each panel
/// holding 32 consecutive output channels of one group, zero-padded past the group's last.
void ldk_pack_panels(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t groups,
                     ptrdiff_t taps, ptrdiff_t input_channels_per_group, float *packed_weights, float *packed_bias);

// MARK: bfloat16 panels

/// bfloat16 values of the panel-packed weights for the _BF16 kernels.
size_t ldk_panel_bf16_weight_count(ptrdiff_t output_channels, ptrdiff_t groups, ptrdiff_t kernel_height,
                                   ptrdiff_t kernel_width, ptrdiff_t input_channels_per_group);

/// ldk_pack_panels for the _BF16 kernels: each weight rounded to bfloat16 (to nearest, ties to
/// even) and laid out `[group][panel][kernel row][pair][LDK_PANEL_WIDTH][2]`, where the pairs
/// split one kernel row's run of kernel_width · (input channels per group) weights, `[column]
/// [channel]` as the input under it lies, into consecutive twos (an odd run ends with a zero).
/// The bias stays float32 (ldk_panel_bias_count floats).
void ldk_pack_panels_bf16(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t groups,
                          ptrdiff_t kernel_height, ptrdiff_t kernel_width, ptrdiff_t input_channels_per_group,
                          uint16_t *packed_weights, float *packed_bias);

/// bfloat16 values a _BF16 kernel converts its input into per step, in its thread's workspace
/// (128 KiB; ldk_workspace): a chunk of pixels for the GEMM, a band of zero-padded input rows for
/// the direct convolution.
#define LDK_BF16_SCRATCH_VALUES (64 * 1024)

/// Whether LDK_KERNEL_DIRECT_BF16 can run this geometry: its scratch must hold one output
/// row's input rows, kernel_height × (padded width × input channels per group + 1).
int ldk_direct_bf16_fits(ptrdiff_t kernel_height, ptrdiff_t kernel_width, ptrdiff_t stride, ptrdiff_t output_width,
                         ptrdiff_t input_channels_per_group);

// MARK: Depthwise

/// Channels are padded to a multiple of this in the depthwise packing (the widest vector).
#define LDK_DEPTHWISE_CHANNEL_ALIGNMENT 16

size_t ldk_depthwise_weight_count(ptrdiff_t channels, ptrdiff_t taps);
size_t ldk_depthwise_bias_count(ptrdiff_t channels);

/// Repacks depthwise weights `[channel][kernel_h][kernel_w]` (OHWI with one input per group)
/// into blocks of LDK_DEPTHWISE_CHANNEL_ALIGNMENT channels, `[block][tap][channel in block]`,
/// channels zero-padded to a whole block. A block's taps are contiguous: with `[tap][channel]`
/// the taps of wide layers lie a multiple of 2 KiB apart and compete for the same L1 sets.
void ldk_pack_depthwise(const float *weights, const float *bias, ptrdiff_t channels, ptrdiff_t taps,
                        float *packed_weights, float *packed_bias);

// MARK: Winograd F(2×2, 3×3)

/// The most input channels the Winograd kernel takes: its per-thread workspace (ldk_workspace)
/// holds LDK_WINOGRAD_MIN_BLOCK_TILES tiles × 16 positions × this many channels.
#define LDK_WINOGRAD_MAX_INPUT_CHANNELS 256
/// Tiles the workspace holds at the most input channels: one full register tile (8 with AVX-512).
#define LDK_WINOGRAD_MIN_BLOCK_TILES 8
/// Floats of the transformed-input block in the Winograd kernel's workspace (128 KiB).
#define LDK_WINOGRAD_INPUT_FLOATS (LDK_WINOGRAD_MAX_INPUT_CHANNELS * 16 * LDK_WINOGRAD_MIN_BLOCK_TILES)
/// Floats of the products of one register tile, [16 positions][tile rows][pass width], for the
/// widest ISA (8 rows × 32 floats with AVX-512): 16 KiB.
#define LDK_WINOGRAD_PRODUCT_FLOATS (16 * 8 * 32)

size_t ldk_winograd_weight_count(ptrdiff_t output_channels, ptrdiff_t input_channels);
size_t ldk_winograd_bias_count(ptrdiff_t output_channels);

/// Transforms 3×3 OHWI weights `[output][3][3][input]` into Winograd's domain (U = G g Gᵀ, a 4×4
/// matrix per output and input channel) and packs them as `[position][panel][input][32]`, the 16
/// positions row-major, each panel 32 consecutive output channels zero-padded past the last;
/// the bias (or NULL for zeros) as for ldk_pack_panels.
void ldk_pack_winograd(const float *weights, const float *bias, ptrdiff_t output_channels, ptrdiff_t input_channels,
                       float *packed_weights, float *packed_bias);

/// bfloat16 values of ldk_pack_winograd_bf16's weights.
size_t ldk_winograd_bf16_weight_count(ptrdiff_t output_channels, ptrdiff_t input_channels);

/// ldk_pack_winograd for LDK_KERNEL_WINOGRAD_BF16: U rounded to bfloat16 and packed as
/// `[position][panel][input pair][32][2]`, an odd input count's last pair completed with zero;
/// the bias stays float32.
void ldk_pack_winograd_bf16(const float *weights, const float *bias, ptrdiff_t output_channels,
                            ptrdiff_t input_channels, uint16_t *packed_weights, float *packed_bias);

// MARK: Threads

/// Helper threads that large convolutions are split across (by output rows; 1×1 convolutions by
/// pixels and, on small maps, by output channels). Workers spin
/// briefly between jobs, then sleep. One job runs at a time: a caller that finds the pool busy
/// runs its whole job on its own thread instead of waiting.
typedef struct ldk_thread_pool ldk_thread_pool;

/// Each worker names its thread this prefix plus its index ("ld-kernel-1", …), so profilers,
/// `top -H` and the allocation tests can tell the kernels' threads from the application's.
#define LDK_WORKER_THREAD_NAME_PREFIX "ld-kernel-"

/// A pool with `threads` threads in all: the caller of ldk_convolve and `threads − 1` workers.
/// NULL when threads < 1 or a thread cannot be started.
ldk_thread_pool *ldk_thread_pool_create(int threads);
/// Stops and joins the workers. The pool must be idle.
void ldk_thread_pool_destroy(ldk_thread_pool *pool);
/// Threads in all, the caller included.
int ldk_thread_pool_threads(const ldk_thread_pool *pool);

// MARK: Kernels

typedef enum {
    /// 1×1, stride 1, no padding, any groups: per group a GEMM [pixels × in/g] · [in/g × out/g]
    /// with output channels as the vector dimension. Weights from ldk_pack_panels (taps = 1).
    LDK_KERNEL_POINTWISE = 0,
    /// Depthwise (groups = input channels = output channels), any kernel size, stride and
    /// padding, vectorised over channels. Weights from ldk_pack_depthwise.
    LDK_KERNEL_DEPTHWISE = 1,
    /// Any convolution, computed directly (no im2col): a tile of output pixels of one row times
    /// a panel of output channels, broadcasting one input value against a vector of weights.
    /// Weights from ldk_pack_panels (taps = kernel_height · kernel_width).
    LDK_KERNEL_DIRECT = 2,
    /// 3×3, stride 1, groups 1, any padding, at most LDK_WINOGRAD_MAX_INPUT_CHANNELS inputs:
    /// Winograd F(2×2, 3×3), 2.25× fewer multiplies than direct, a slightly larger rounding
    /// error. Weights from ldk_pack_winograd.
    LDK_KERNEL_WINOGRAD = 3,
    /// LDK_KERNEL_POINTWISE in bfloat16: weights from ldk_pack_panels_bf16, each chunk of input
    /// pixels rounded to bfloat16 once, products of pairs summed in float32 (VDPBF16PS). Only
    /// where ldk_bf16_is_supported(); the `isa` argument is ignored.
    LDK_KERNEL_POINTWISE_BF16 = 4,
    /// LDK_KERNEL_DIRECT in bfloat16, for geometries ldk_direct_bf16_fits accepts: bands of input
    /// rows rounded to bfloat16 into a zero-padded copy, so every output pixel is an interior one.
    LDK_KERNEL_DIRECT_BF16 = 5,
    /// LDK_KERNEL_WINOGRAD in bfloat16: the transformed inputs rounded to bfloat16 as they are
    /// stored, multiplied by bfloat16 transformed weights (ldk_pack_winograd_bf16) with
    /// VDPBF16PS; transforms and sums in float32.
    LDK_KERNEL_WINOGRAD_BF16 = 6,
} ldk_kernel;

/// Working memory of the kernels that need some (Winograd's transformed inputs, the bfloat16
/// kernels' rounded inputs), planned once with the rest of a session's memory rather than put on
/// the threads' stacks: thread t of a call (0 the caller, 1… the pool's workers) uses bytes
/// [t · bytes_per_thread, (t + 1) · bytes_per_thread) from `base`. One caller at a time.
typedef struct {
    /// 64-byte aligned; NULL when bytes_per_thread is 0.
    void *base;
    /// At least ldk_kernel_workspace_bytes() of every kernel it serves; a multiple of 64.
    size_t bytes_per_thread;
    /// At least the threads of the pool the kernels run on (1 without a pool).
    int threads;
} ldk_workspace;

/// Bytes of workspace each thread running `kernel` needs: 0 for the float32 GEMM, depthwise and
/// direct kernels, 128 KiB for the other bfloat16 kernels, 144 KiB for Winograd. A multiple of 64.
size_t ldk_kernel_workspace_bytes(ldk_kernel kernel);

/// Runs `convolution` with `kernel` as compiled for `isa` (clamped to what this CPU supports).
/// With a pool (or NULL for none), convolutions big enough to pay for it are split across its
/// threads (see ldk_thread_pool); the result is the same either way. `workspace` must cover the
/// kernel and the pool's threads (it may be NULL for a kernel that needs none); the call aborts
/// otherwise. Allocates nothing.
void ldk_convolve(ldk_kernel kernel, ldk_isa isa, const ldk_convolution *convolution, ldk_thread_pool *pool,
                  const ldk_workspace *workspace);

// MARK: Pooling

/// What a pooling window computes.
typedef enum {
    /// The largest value; taps in the padding are ignored.
    LDK_POOL_MAX = 0,
    /// The sum divided by the window's size clipped to the padded input (PyTorch's
    /// count_include_pad = True).
    LDK_POOL_AVERAGE_INCLUDING_PADDING = 1,
    /// The sum divided by the number of input pixels inside the window (count_include_pad = False).
    LDK_POOL_AVERAGE_EXCLUDING_PADDING = 2,
} ldk_pool_kind;

/// One square-window pool. The output's height and width must be the pool's output size (which
/// ceil mode may make one larger than floor division would): output pixel (oy, ox) pools input
/// rows [oy · stride − pad_top, + kernel) and columns [ox · stride − pad_left, + kernel), clipped
/// to the image, and to the padded image (pad_bottom, pad_right) for the divisor.
typedef struct {
    /// Read only; must not overlap `output`.
    ldk_feature_map input;
    /// Written: exactly `channels` floats per pixel, as many channels as the input.
    ldk_feature_map output;
    ptrdiff_t kernel, stride, pad_top, pad_left, pad_bottom, pad_right;
    ldk_pool_kind kind;
} ldk_pooling;

/// Runs `pooling` as compiled for `isa` (clamped to what this CPU supports). Each output value
/// equals the plain loop's (LiteDetectKernels' ReferencePooling) bit for bit on inputs without
/// NaN: the same taps in the same order, max keeping the later of two equal values, the sum
/// multiplied by 1 / count.
void ldk_pool(ldk_isa isa, const ldk_pooling *pooling);

// MARK: Programs

typedef enum {
    LDK_INSTRUCTION_CONVOLUTION = 0,
    LDK_INSTRUCTION_POOL = 1,
    /// `count` floats from `source` to `destination` (the two may overlap).
    LDK_INSTRUCTION_MOVE = 2,
} ldk_instruction_kind;

/// One instruction of a kernel program: a convolution or a pooling (on maps that are usually
/// bands of larger maps), or a move of floats within one buffer.
typedef struct {
    ldk_instruction_kind kind;
    ldk_kernel kernel;
    ldk_convolution convolution;
    ldk_pooling pooling;
    float *destination;
    const float *source;
    ptrdiff_t count;
} ldk_program_instruction;

/// Runs `programs` instruction lists, each in order on one thread, the lists in parallel on
/// `pool` (NULL: all on the calling thread, one after another): list p is instructions
/// [starts[p], starts[p + 1]). The lists must not write memory another list reads or writes.
/// A list's convolutions use the workspace slot of the thread running it (as ldk_convolve).
/// With `seconds` non-NULL, instruction i's wall time is stored in seconds[i]. Allocates nothing.
void ldk_run_programs(ldk_isa isa, const ldk_program_instruction *instructions, const ptrdiff_t *starts,
                      ptrdiff_t programs, ldk_thread_pool *pool, const ldk_workspace *workspace, double *seconds);

/// The mean over all pixels of `input`, per channel, into `output` (`input.channels` floats),
/// summed in pixel order and multiplied by 1 / pixels, as the plain loop does.
void ldk_global_average_pool(ldk_isa isa, ldk_feature_map input, float *output);

// MARK: Element-wise and channel operations

/// output = activation(a + b), element by element; all three maps have the same height, width
/// and channels, any pixel strides. `output` may be the same memory as `a` or `b` (not shifted).
void ldk_add(ldk_isa isa, ldk_feature_map a, ldk_feature_map b, ldk_feature_map output, ldk_activation activation);

/// output = activation(input), element by element (a copy for LDK_ACTIVATION_IDENTITY: how
/// concatenation fills a channel slice and a split reads one). Same shapes, any pixel strides;
/// `output` may be the same memory as `input` (not shifted).
void ldk_apply_activation(ldk_isa isa, ldk_feature_map input, ldk_feature_map output, ldk_activation activation);

/// output[y, x, c] = input[y, x, c] · scales[c] (squeeze-and-excitation). Same shapes, any pixel
/// strides; `output` may be the same memory as `input` (not shifted).
void ldk_scale_channels(ldk_isa isa, ldk_feature_map input, const float *scales, ldk_feature_map output);

/// ShuffleNet's channel shuffle: with C = groups · n channels, output channel j · groups + i
/// takes input channel i · n + j. Same shapes, any pixel strides; must not overlap.
void ldk_channel_shuffle(ldk_isa isa, ldk_feature_map input, ptrdiff_t groups, ldk_feature_map output);

// MARK: Vector math (generic: exp, softmax, box overlap)

/// output[i] = e^input[i] for i in [0, count), a polynomial evaluated in vectors (exp_body.h), not
/// the C library's expf: within LDK_EXP_MAX_ULP ulp of the exact value for every float input
/// whose result is a normal float; subnormal results are rounded once; 0 below -104, +∞ above 89,
/// NaN for NaN. `output` may be `input`.
void ldk_exp(ldk_isa isa, const float *input, ptrdiff_t count, float *output);

/// A bound on ldk_exp's error, in units in the last place of the exact result: measured on every
/// float in [-104, 89] against double-precision exp, at most 0.94 ulp with FMA (AVX2, AVX-512)
/// and 1.22 ulp on the portable path (see exp_body.h).
#define LDK_EXP_MAX_ULP 1.25f

/// Softmax of each of `rows` rows of `columns` floats: y_j = e^(x_j - max x) / Σ_k e^(x_k - max x),
/// with ldk_exp's e^x and the sum taken in vector lanes (the last bit may differ between ISAs).
/// Row r starts at input + r · input_row_stride and output + r · output_row_stride; `output`
/// may be `input` when the strides agree. Allocates nothing.
///
/// When `masks` is not NULL, also marks the outputs above `threshold` (strictly; NaN never) as
/// bits: row r's y_j is bit j % 64 of masks[r · ⌈columns / 64⌉ + j / 64]. For visiting only the
/// passing entries of a sparse test without reading the rows again.
void ldk_softmax_rows(ldk_isa isa, const float *input, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t input_row_stride,
                      float *output, ptrdiff_t output_row_stride, float threshold, uint64_t *masks);

/// `count` axis-aligned boxes stored column by column: box i is (x1[i], y1[i]) – (x2[i], y2[i])
/// with area[i] = (x2[i] - x1[i]) · (y2[i] - y1[i]).
typedef struct {
    const float *x1, *y1, *x2, *y2, *area;
    ptrdiff_t count;
} ldk_box_columns;

/// One axis-aligned box, corners (x1, y1) – (x2, y2).
typedef struct {
    float x1, y1, x2, y2;
} ldk_box;

/// The index of the first of `boxes` whose intersection over union with `box` is ≥ minimum_iou,
/// or boxes.count if none. IoU is computed in float32 as intersection / ((area(box) + area[i]) -
/// intersection), intersection = max(min(x2) - max(x1), 0) · max(min(y2) - max(y1), 0), with
/// max(a, b) = (a < b) ? b : a (torchvision's and TensorFlow's operation order); a NaN IoU
/// (0 / 0 for degenerate pairs) never counts. minimum_iou should be > 0.
ptrdiff_t ldk_first_box_overlap(ldk_isa isa, ldk_box_columns boxes, ldk_box box, float minimum_iou);

#ifdef __cplusplus
}
#endif

#endif
