#include "CFuzzerDriver.h"

/* libFuzzer's public driver entry point (compiler-rt FuzzerInterface.h, LLVM 12+). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int litedetect_run_fuzzer(int argc, char **argv, litedetect_fuzz_target target) {
    return LLVMFuzzerRunDriver(&argc, &argv, target);
}
