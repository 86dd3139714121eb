// The kernels compiled for AVX-512 (16 lanes): the shared bodies instantiated with vector_avx512.h.
// x86 only; on other architectures the dispatcher never asks for them.

#if defined(__x86_64__)
#include "vector_avx512.h"
#include "kernel_epilogue.h"
#include "kernels_internal.h"

#include "tile_body.h"
#include "pointwise_body.h"
#include "depthwise_body.h"
#include "direct_body.h"
#include "winograd_body.h"
#include "pool_body.h"
#include "elementwise_body.h"
#include "shuffle_body.h"
#include "exp_body.h"
#include "softmax_body.h"
#include "box_overlap_body.h"
#endif
