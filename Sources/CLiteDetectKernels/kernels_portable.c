// The kernels compiled for portable C (4-lane vector extensions): the shared bodies instantiated
// with vector_portable.h. Built for every architecture; correct on any CPU.

#include "vector_portable.h"
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
