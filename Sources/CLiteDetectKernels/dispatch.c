// Runtime choice of the instruction set: detected once, cached, and passed explicitly to each
// kernel call (so tests can run every variant this CPU supports).

#include "kernels_internal.h"

/// The best ISA of this CPU. Each check includes the checks of the ISAs below it, so an ISA is
/// usable exactly when it is not above this one.
static ldk_isa ldk_detect_isa(void) {
#if LDK_HAS_X86_KERNELS
    // The runtime's CPU model also checks that the OS saves the ymm/zmm and mask state (XCR0).
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    if (avx512) return LDK_ISA_AVX512;
    if (avx2) return LDK_ISA_AVX2;
#endif
    return LDK_ISA_PORTABLE;
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

ldk_isa ldk_usable_isa(ldk_isa isa) {
    const ldk_isa best = ldk_selected_isa();
    return isa > best ? best : isa;
}

/// Convolutions with fewer multiply-accumulates run on the calling thread only: a parallel
/// region costs a few microseconds, about what 100 k MACs take on one core.
#define LDK_PARALLEL_MIN_MACS 400000
/// Row ranges per thread: more than one, so a thread slowed by other work costs less.
#define LDK_ITEMS_PER_THREAD 4

/// Output rows [row_begin, row_end) with the variant for `isa`, clamped to what this CPU runs.
static void ldk_convolve_rows(ldk_kernel kernel, ldk_isa isa, const ldk_convolution *c, ptrdiff_t row_begin,
                              ptrdiff_t row_end) {
    const ldk_isa chosen = ldk_usable_isa(isa);
    typedef void (*rows_function)(const ldk_convolution *, ptrdiff_t, ptrdiff_t);
    static const rows_function portable[] = {ldk_pointwise_portable, ldk_depthwise_portable, ldk_direct_portable,
                                                  ldk_winograd_portable};
#if LDK_HAS_X86_KERNELS
    static const rows_function avx2[] = {ldk_pointwise_avx2, ldk_depthwise_avx2, ldk_direct_avx2, ldk_winograd_avx2};
    static const rows_function avx512[] = {ldk_pointwise_avx512, ldk_depthwise_avx512, ldk_direct_avx512,
                                                ldk_winograd_avx512};
    const rows_function run = chosen == LDK_ISA_AVX512 ? avx512[kernel] : chosen == LDK_ISA_AVX2 ? avx2[kernel] : portable[kernel];
#else
    (void)chosen;
    const rows_function run = portable[kernel];
#endif
    run(c, row_begin, row_end);
}

/// One convolution split into `items` contiguous ranges of output rows.
typedef struct {
    ldk_kernel kernel;
    ldk_isa isa;
    const ldk_convolution *convolution;
    ptrdiff_t items;
} ldk_row_split;

static void ldk_run_row_range(void *context, ptrdiff_t item) {
    const ldk_row_split *split = context;
    const ptrdiff_t rows = split->convolution->output.height;
    ptrdiff_t begin = item * rows / split->items, end = (item + 1) * rows / split->items;
    // Winograd computes output rows in pairs: even boundaries keep a pair on one thread.
    if (split->kernel == LDK_KERNEL_WINOGRAD) {
        begin &= ~(ptrdiff_t)1;
        if (end < rows) end &= ~(ptrdiff_t)1;
    }
    if (begin < end) ldk_convolve_rows(split->kernel, split->isa, split->convolution, begin, end);
}

void ldk_convolve(ldk_kernel kernel, ldk_isa isa, const ldk_convolution *c, ldk_thread_pool *pool) {
    const ptrdiff_t rows = c->output.height;
    const ptrdiff_t taps = c->kernel_height * c->kernel_width;
    const double macs = (double)rows * c->output.width * c->output.channels * taps * (c->input.channels / c->groups);
    const int threads = ldk_thread_pool_threads(pool);
    if (threads < 2 || rows < 2 || macs < LDK_PARALLEL_MIN_MACS) {
        ldk_convolve_rows(kernel, isa, c, 0, rows);
        return;
    }
    ldk_row_split split = {kernel, isa, c, rows < threads * LDK_ITEMS_PER_THREAD ? rows : threads * LDK_ITEMS_PER_THREAD};
    ldk_thread_pool_run(pool, split.items, ldk_run_row_range, &split);
}
