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

// An ISA this CPU cannot run is clamped to the best one it can (instead of faulting on an
// illegal instruction).
#if LDK_HAS_X86_KERNELS
#define LDK_DISPATCH(kernel, isa, c)                                       \
    do {                                                                   \
        ldk_isa best = ldk_selected_isa();                                 \
        ldk_isa chosen = (isa) > best ? best : (isa);                      \
        if (chosen == LDK_ISA_AVX512) kernel##_avx512(c);                  \
        else if (chosen == LDK_ISA_AVX2) kernel##_avx2(c);                 \
        else kernel##_portable(c);                                         \
    } while (0)
#else
#define LDK_DISPATCH(kernel, isa, c) kernel##_portable(c)
#endif

void ldk_pointwise(ldk_isa isa, const ldk_convolution *c) { LDK_DISPATCH(ldk_pointwise, isa, c); }
void ldk_depthwise(ldk_isa isa, const ldk_convolution *c) { LDK_DISPATCH(ldk_depthwise, isa, c); }
void ldk_direct(ldk_isa isa, const ldk_convolution *c) { LDK_DISPATCH(ldk_direct, isa, c); }
