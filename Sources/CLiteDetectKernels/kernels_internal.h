// The per-ISA kernel entry points the dispatcher (dispatch.c) chooses between. Each computes
// output rows [row_begin, row_end) of the convolution (rows of pixels for the GEMM).

#ifndef CLITEDETECTKERNELS_INTERNAL_H
#define CLITEDETECTKERNELS_INTERNAL_H

#include "CLiteDetectKernels.h"

void ldk_pointwise_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_depthwise_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_direct_portable(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);

#if defined(__x86_64__)
#define LDK_HAS_X86_KERNELS 1
void ldk_pointwise_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_depthwise_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_direct_avx2(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_pointwise_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_depthwise_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
void ldk_direct_avx512(const ldk_convolution *c, ptrdiff_t row_begin, ptrdiff_t row_end);
#endif

/// Runs task(context, i) once for every i in [0, items), spread over the pool's threads (the
/// caller's included); returns when all have run. A NULL or busy pool runs them all here.
void ldk_thread_pool_run(ldk_thread_pool *pool, ptrdiff_t items, void (*task)(void *context, ptrdiff_t item),
                         void *context);

#endif
