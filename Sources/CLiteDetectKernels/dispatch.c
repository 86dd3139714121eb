// Runtime choice of the instruction set: detected once, cached, and passed explicitly to each
// kernel call (so tests can run every variant this CPU supports).

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "kernels_internal.h"

int ldk_isa_environment_cap(void) {
    const char *value = getenv(LDK_ISA_ENVIRONMENT_VARIABLE);
    if (!value || !*value) return -1;
    if (!strcmp(value, "portable")) return LDK_ISA_PORTABLE;
    if (!strcmp(value, "avx2")) return LDK_ISA_AVX2;
    if (!strcmp(value, "avx512")) return LDK_ISA_AVX512;
    return -2;
}

/// The best ISA of this CPU. Each check includes the checks of the ISAs below it, so an ISA is
/// usable exactly when it is not above this one.
static ldk_isa ldk_detect_isa(void) {
#if LDK_HAS_X86_KERNELS
    // The runtime's CPU model also checks that the OS saves the ymm/zmm and mask state (XCR0).
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    const int cap = ldk_isa_environment_cap();
    const ldk_isa best = avx512 ? LDK_ISA_AVX512 : avx2 ? LDK_ISA_AVX2 : LDK_ISA_PORTABLE;
    return cap >= 0 && (ldk_isa)cap < best ? (ldk_isa)cap : best;
#else
    return LDK_ISA_PORTABLE;
#endif
}

/// -1 until the first call; racing first calls compute the same answer, so relaxed order suffices.
static int ldk_cached_isa = -1;

ldk_isa ldk_selected_isa(void) {
    int isa = __atomic_load_n(&ldk_cached_isa, __ATOMIC_RELAXED);
    if (isa < 0) {
        isa = (int)ldk_detect_isa();
        __atomic_store_n(&ldk_cached_isa, isa, __ATOMIC_RELAXED);
    }
    return (ldk_isa)isa;
}

int ldk_isa_is_supported(ldk_isa isa) { return isa <= ldk_selected_isa(); }

static int ldk_detect_bf16(void) {
#if LDK_HAS_X86_KERNELS
    // AVX512_BF16 is CPUID leaf 7, sub-leaf 1, EAX bit 5; the zmm state was checked with AVX-512.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (ldk_selected_isa() != LDK_ISA_AVX512 || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax >> 5) & 1;
#else
    return 0;
#endif
}

/// -1 until the first call (CPUID traps to the hypervisor in a VM: ask once).
static int ldk_cached_bf16 = -1;

int ldk_bf16_is_supported(void) {
    int supported = __atomic_load_n(&ldk_cached_bf16, __ATOMIC_RELAXED);
    if (supported < 0) {
        supported = ldk_detect_bf16();
        __atomic_store_n(&ldk_cached_bf16, supported, __ATOMIC_RELAXED);
    }
    return supported;
}

ldk_isa ldk_usable_isa(ldk_isa isa) {
    const ldk_isa best = ldk_selected_isa();
    return isa > best ? best : isa;
}

/// Convolutions with fewer multiply-accumulates run on the calling thread only: a parallel
/// region costs a few microseconds, about what 100 k MACs take on one core.
#define LDK_PARALLEL_MIN_MACS 400000
/// Row ranges per thread: more than one, so a thread slowed by other work costs less.
#define LDK_ITEMS_PER_THREAD 4
/// 1×1 convolutions on maps of fewer register tiles (LDK_PIXEL_ALIGNMENT pixels) than this per
/// thread are split by output channels first.
#define LDK_BLOCK_SPLIT_MAX_UNITS_PER_THREAD 64

size_t ldk_kernel_workspace_bytes(ldk_kernel kernel) {
    switch (kernel) {
    case LDK_KERNEL_WINOGRAD:
    case LDK_KERNEL_WINOGRAD_BF16:
        return (LDK_WINOGRAD_INPUT_FLOATS + LDK_WINOGRAD_PRODUCT_FLOATS) * sizeof(float);
    case LDK_KERNEL_POINTWISE_BF16:
    case LDK_KERNEL_DIRECT_BF16:
        return LDK_BF16_SCRATCH_VALUES * sizeof(uint16_t);
    case LDK_KERNEL_POINTWISE:
    case LDK_KERNEL_DEPTHWISE:
    case LDK_KERNEL_DIRECT:
        break;
    }
    return 0;
}

/// Thread `thread`'s slot of `workspace`.
static void *ldk_workspace_slot(const ldk_workspace *workspace, int thread) {
    return workspace && workspace->base ? (char *)workspace->base + (size_t)thread * workspace->bytes_per_thread : NULL;
}

/// Output rows [row_begin, row_end) with the variant for `isa`, clamped to what this CPU runs.
static void ldk_convolve_rows(ldk_kernel kernel, ldk_isa isa, const ldk_convolution *c, ptrdiff_t row_begin,
                              ptrdiff_t row_end, void *scratch) {
    const ldk_convolution_rows run = ldk_kernels(isa)->convolve_rows[kernel];
    // Only a bfloat16 kernel off x86 is missing, and no layer asks for one there (ldk_bf16_is_supported).
    if (!run) abort();
    run(c, row_begin, row_end, scratch);
}

/// One convolution split into `parts` contiguous ranges: of output rows (ldk_run_row_range) or
/// of output-channel panels (ldk_run_panel_range).
typedef struct {
    ldk_kernel kernel;
    ldk_isa isa;
    const ldk_convolution *convolution;
    ptrdiff_t parts;
    const ldk_workspace *workspace;
} ldk_range_split;

static void ldk_run_row_range(void *context, ptrdiff_t item, int thread) {
    const ldk_range_split *split = context;
    const ptrdiff_t rows = split->convolution->output.height;
    ptrdiff_t begin = item * rows / split->parts, end = (item + 1) * rows / split->parts;
    // Winograd computes output rows in pairs: even boundaries keep a pair on one thread.
    if (split->kernel == LDK_KERNEL_WINOGRAD || split->kernel == LDK_KERNEL_WINOGRAD_BF16) {
        begin &= ~(ptrdiff_t)1;
        if (end < rows) end &= ~(ptrdiff_t)1;
    }
    if (begin < end)
        ldk_convolve_rows(split->kernel, split->isa, split->convolution, begin, end,
                          ldk_workspace_slot(split->workspace, thread));
}

/// A direct convolution (one group), range `item` of its output-channel panels run over every
/// output row as a convolution of its own: the same input, the output, residual, bias and packed
/// weights advanced to the range's first channel.
static void ldk_run_panel_range(void *context, ptrdiff_t item, int thread) {
    const ldk_range_split *split = context;
    const ldk_convolution *c = split->convolution;
    const ptrdiff_t panels = ldk_panel_count(c);
    const ptrdiff_t begin = item * panels / split->parts, end = (item + 1) * panels / split->parts;
    if (begin >= end) return;
    const ptrdiff_t first = begin * LDK_PANEL_WIDTH;
    const ptrdiff_t last = end * LDK_PANEL_WIDTH < c->output.channels ? end * LDK_PANEL_WIDTH : c->output.channels;
    ldk_convolution part = *c;
    part.output.base += first;
    part.output.channels = last - first;
    if (part.residual.base) {
        part.residual.base += first;
        part.residual.channels = last - first;
    }
    // A panel's weights: per kernel row, its run of columns × channels (in bfloat16, made even).
    if (split->kernel == LDK_KERNEL_DIRECT_BF16)
        part.packed_bf16_weights +=
            begin * c->kernel_height * ((c->kernel_width * c->input.channels + 1) / 2) * 2 * LDK_PANEL_WIDTH;
    else
        part.packed_weights += begin * c->kernel_height * c->kernel_width * c->input.channels * LDK_PANEL_WIDTH;
    part.packed_bias += first;
    ldk_convolve_rows(split->kernel, split->isa, &part, 0, c->output.height,
                      ldk_workspace_slot(split->workspace, thread));
}

/// Whether a direct convolution should be split by output channels rather than rows. A range of
/// rows reads every weight; a range of channels reads the whole input. Splitting into `items` row
/// ranges reads the weights `items` times, into one channel range per thread reads the input
/// `threads` times: the split that moves less memory wins. (The SSD heads of the COCO model, 10×10
/// maps of 1280 channels into 546, read 6.3 M weight floats per row range against 128 K input floats.)
static int ldk_direct_prefers_panels(const ldk_convolution *c, ptrdiff_t items, int threads) {
    if (c->groups != 1 || ldk_panel_count(c) < threads) return 0;
    const double weights = (double)c->kernel_height * c->kernel_width * c->input.channels * c->output.channels;
    const double input = (double)c->input.height * c->input.width * c->input.channels;
    return items * weights > threads * input;
}

/// One 1×1 convolution split into `pixel_parts` ranges of pixels × `panel_parts` ranges of
/// output-channel panels.
typedef struct {
    ldk_kernel kernel;
    ldk_isa isa;
    const ldk_convolution *convolution;
    ptrdiff_t pixel_parts, panel_parts;
    const ldk_workspace *workspace;
} ldk_block_split;

/// Pixel ranges start at multiples of this (the widest ISA's tile rows), so only the last range
/// of a convolution ends in a partial register tile.
#define LDK_PIXEL_ALIGNMENT 8

static void ldk_run_block(void *context, ptrdiff_t item, int thread) {
    const ldk_block_split *split = context;
    const ldk_convolution *c = split->convolution;
    const ptrdiff_t pixels = c->output.height * c->output.width, panels = ldk_panel_count(c);
    const ptrdiff_t units = (pixels + LDK_PIXEL_ALIGNMENT - 1) / LDK_PIXEL_ALIGNMENT;
    const ptrdiff_t pixel_part = item / split->panel_parts, panel_part = item % split->panel_parts;
    const ptrdiff_t pixel_begin = pixel_part * units / split->pixel_parts * LDK_PIXEL_ALIGNMENT;
    ptrdiff_t pixel_end = (pixel_part + 1) * units / split->pixel_parts * LDK_PIXEL_ALIGNMENT;
    if (pixel_end > pixels) pixel_end = pixels;
    const ptrdiff_t panel_begin = panel_part * panels / split->panel_parts;
    const ptrdiff_t panel_end = (panel_part + 1) * panels / split->panel_parts;
    if (pixel_begin >= pixel_end || panel_begin >= panel_end) return;
    const ldk_pointwise_block run =
        ldk_kernels(split->isa)->pointwise_block[split->kernel == LDK_KERNEL_POINTWISE_BF16];
    if (!run) abort();
    run(c, pixel_begin, pixel_end, panel_begin, panel_end, ldk_workspace_slot(split->workspace, thread));
}

/// Splits a 1×1 convolution for `threads` threads. Small maps (a few register tiles per thread)
/// split the output channels instead: a share of the pixels would leave every thread streaming
/// all the weights for a handful of tiles, and a share of the panels keeps each thread's weights
/// in its own L2.
static void ldk_choose_block_split(const ldk_convolution *c, int threads, ldk_block_split *split) {
    const ptrdiff_t pixels = c->output.height * c->output.width, panels = ldk_panel_count(c);
    const ptrdiff_t units = (pixels + LDK_PIXEL_ALIGNMENT - 1) / LDK_PIXEL_ALIGNMENT;
    const ptrdiff_t items = (ptrdiff_t)threads * LDK_ITEMS_PER_THREAD;
    ptrdiff_t panel_parts = 1;
    if (units < LDK_BLOCK_SPLIT_MAX_UNITS_PER_THREAD * threads && panels >= 2 * threads) panel_parts = threads;
    ptrdiff_t pixel_parts = (items + panel_parts - 1) / panel_parts;
    if (pixel_parts > units) pixel_parts = units;
    split->pixel_parts = pixel_parts;
    split->panel_parts = panel_parts;
}

void ldk_convolve(ldk_kernel kernel, ldk_isa isa, const ldk_convolution *c, ldk_thread_pool *pool,
                  const ldk_workspace *workspace) {
    const ptrdiff_t rows = c->output.height;
    const ptrdiff_t taps = c->kernel_height * c->kernel_width;
    const double macs = (double)rows * c->output.width * c->output.channels * taps * (c->input.channels / c->groups);
    const int threads = ldk_thread_pool_threads(pool);
    // A workspace too small for the kernel or the pool would be overrun: refuse it outright.
    const size_t needed = ldk_kernel_workspace_bytes(kernel);
    if (needed &&
        (!workspace || !workspace->base || workspace->bytes_per_thread < needed || workspace->threads < threads))
        abort();
    if (threads < 2 || macs < LDK_PARALLEL_MIN_MACS) {
        ldk_convolve_rows(kernel, isa, c, 0, rows, ldk_workspace_slot(workspace, 0));
        return;
    }
    if (kernel == LDK_KERNEL_POINTWISE || kernel == LDK_KERNEL_POINTWISE_BF16) {
        ldk_block_split split = {kernel, isa, c, 1, 1, workspace};
        ldk_choose_block_split(c, threads, &split);
        ldk_thread_pool_run(pool, split.pixel_parts * split.panel_parts, ldk_run_block, &split);
        return;
    }
    if (rows < 2) {
        ldk_convolve_rows(kernel, isa, c, 0, rows, ldk_workspace_slot(workspace, 0));
        return;
    }
    ldk_range_split split = {kernel, isa, c,
                             rows < threads * LDK_ITEMS_PER_THREAD ? rows : threads * LDK_ITEMS_PER_THREAD, workspace};
    if ((kernel == LDK_KERNEL_DIRECT || kernel == LDK_KERNEL_DIRECT_BF16) &&
        ldk_direct_prefers_panels(c, split.parts, threads)) {
        ldk_range_split panels = {kernel, isa, c, threads, workspace};
        ldk_thread_pool_run(pool, panels.parts, ldk_run_panel_range, &panels);
        return;
    }
    ldk_thread_pool_run(pool, split.parts, ldk_run_row_range, &split);
}
