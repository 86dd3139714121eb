// The bfloat16 kernels: the GEMM, the direct convolution and Winograd's GEMMs with VDPBF16PS, for AVX-512 CPUs
// with AVX512_BF16 (Cooper Lake, Sapphire Rapids and later Xeons, Zen 4 and later). x86 only;
// the dispatcher calls them only where ldk_bf16_is_supported().

#if defined(__x86_64__)
#include <string.h>

#define LDK_ISA_SUFFIX avx512bf16
#define LDK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma,avx2")))
#include "vector_avx512.h"
#include "kernel_epilogue.h"
#include "kernels_internal.h"

#include "tile_body.h"
#include "bf16_tile_body.h"
#include "pointwise_bf16_body.h"
#include "direct_bf16_body.h"
#define LDK_WINOGRAD_BF16 1
#include "winograd_body.h"
#endif
