// The per-ISA kernel entry points the dispatcher (dispatch.c) chooses between.

#ifndef CLITEDETECTKERNELS_INTERNAL_H
#define CLITEDETECTKERNELS_INTERNAL_H

#include "CLiteDetectKernels.h"

void ldk_pointwise_portable(const ldk_convolution *c);
void ldk_depthwise_portable(const ldk_convolution *c);
void ldk_direct_portable(const ldk_convolution *c);

#if defined(__x86_64__)
#define LDK_HAS_X86_KERNELS 1
void ldk_pointwise_avx2(const ldk_convolution *c);
void ldk_depthwise_avx2(const ldk_convolution *c);
void ldk_direct_avx2(const ldk_convolution *c);
void ldk_pointwise_avx512(const ldk_convolution *c);
void ldk_depthwise_avx512(const ldk_convolution *c);
void ldk_direct_avx512(const ldk_convolution *c);
#endif

#endif
