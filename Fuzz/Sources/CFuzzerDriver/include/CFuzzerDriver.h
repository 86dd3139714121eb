#ifndef LITEDETECT_CFUZZERDRIVER_H
#define LITEDETECT_CFUZZERDRIVER_H

/*
 * Starts libFuzzer from a Swift `@main`. SwiftPM links every executable with `main` aliased to
 * the module's own entry point, so libFuzzer's `main` is never used; the Swift entry point
 * hands its arguments and the target function to libFuzzer's driver instead.
 */

#include <stddef.h>
#include <stdint.h>

/// A fuzz target: called once per input; returns 0 (libFuzzer's convention).
typedef int (*litedetect_fuzz_target)(const uint8_t *data, size_t size);

/// Runs libFuzzer with the process's command line (its options and corpus folders) on `target`;
/// returns libFuzzer's exit status.
int litedetect_run_fuzzer(int argc, char **argv, litedetect_fuzz_target target);

#endif
