#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and/or ThreadSanitizer.
#
#   Tools/sanitize.sh                          both, whole suite (slow: see docs/RELIABILITY.md)
#   Tools/sanitize.sh address                  ASan only (heap/stack overflows, use after free, leaks)
#   Tools/sanitize.sh thread                   TSan only (data races)
#   Tools/sanitize.sh thread --filter Frame    only tests whose name matches (swift test --filter)
#   Tools/sanitize.sh address --debug          a debug build (if a release build misbehaves)
#
# Each sanitizer builds into its own folder (.build-asan, .build-tsan) so the normal build is
# untouched. Both build in release by default, as the suite is meant to run (`swift test -c
# release`): a debug build is about 100x slower in the kernels. The C targets are instrumented
# too (SwiftPM passes --sanitize to clang). Any report fails the run: ASan aborts on the first
# error, TSan is told to exit non-zero at the end if it saw a race.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

sanitizers=()
filter=()
configuration=release
while [[ $# -gt 0 ]]; do
    case "$1" in
        address|thread) sanitizers+=("$1") ;;
        all) sanitizers+=(address thread) ;;
        --filter) filter+=(--filter "$2"); shift ;;
        --skip) filter+=(--skip "$2"); shift ;;
        --debug) configuration=debug ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#sanitizers[@]} -eq 0 ]] && sanitizers=(address thread)

# Tests that cannot run under a sanitizer, with the reason:
# - LiteDetectAllocationCounter replaces malloc/free to count allocations; the sanitizers replace
#   them too, and the counts would be the sanitizer's, so the allocation tests are skipped.
always_skip=(--skip "FrameAllocationTests")

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address)
            scratch=.build-asan
            # detect_leaks: LeakSanitizer at exit. The Swift runtime's caches stay reachable.
            export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:${ASAN_OPTIONS:-}"
            ;;
        thread)
            scratch=.build-tsan
            export TSAN_OPTIONS="halt_on_error=0:exitcode=66:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
            ;;
    esac
    echo "== $sanitizer sanitizer ($configuration build in $scratch) ${filter[*]:-(whole suite)}"
    start=$(date +%s)
    if swift test -c "$configuration" --sanitize="$sanitizer" --scratch-path "$scratch" \
        "${always_skip[@]}" "${filter[@]}"; then
        echo "== $sanitizer: clean ($(( $(date +%s) - start )) s)"
    else
        code=$?
        echo "== $sanitizer: FAILED with status $code ($(( $(date +%s) - start )) s)"
        status=1
    fi
done
exit $status
