// Kernel programs: fixed lists of convolutions, poolings and moves, built once (LiteDetectNN's
// band planner builds them to run chains of layers band by band) and run as often as needed.

#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

typedef struct {
    ldk_isa isa;
    const ldk_program_instruction *instructions;
    const ptrdiff_t *starts;
    const ldk_workspace *workspace;
    double *seconds;
} ldk_program_run;

static void ldk_run_program(void *context, ptrdiff_t program, int thread) {
    const ldk_program_run *run = context;
    // This thread's slot of the workspace, as a workspace of one thread.
    const ldk_workspace *workspace = run->workspace;
    ldk_workspace slot = {NULL, 0, 1};
    if (workspace && workspace->base) {
        if (thread >= workspace->threads) abort();
        slot.base = (char *)workspace->base + (size_t)thread * workspace->bytes_per_thread;
        slot.bytes_per_thread = workspace->bytes_per_thread;
    }
    for (ptrdiff_t i = run->starts[program]; i < run->starts[program + 1]; i++) {
        const ldk_program_instruction *instruction = &run->instructions[i];
        const int64_t start = run->seconds ? ldk_now_nanoseconds() : 0;
        switch (instruction->kind) {
        case LDK_INSTRUCTION_CONVOLUTION:
            // A program's convolutions are small by design: each runs whole on this thread.
            ldk_convolve(instruction->kernel, run->isa, &instruction->convolution, NULL, &slot);
            break;
        case LDK_INSTRUCTION_POOL:
            ldk_pool(run->isa, &instruction->pooling);
            break;
        case LDK_INSTRUCTION_MOVE:
            memmove(instruction->destination, instruction->source, (size_t)instruction->count * sizeof(float));
            break;
        }
        if (run->seconds) run->seconds[i] = (double)(ldk_now_nanoseconds() - start) * 1e-9;
    }
}

void ldk_run_programs(ldk_isa isa, const ldk_program_instruction *instructions, const ptrdiff_t *starts,
                      ptrdiff_t programs, ldk_thread_pool *pool, const ldk_workspace *workspace, double *seconds) {
    ldk_program_run run = {isa, instructions, starts, workspace, seconds};
    ldk_thread_pool_run(pool, programs, ldk_run_program, &run);
}
