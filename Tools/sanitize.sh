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
        --skip) user_skip="|$2"; shift ;;
        --debug) configuration=debug ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#sanitizers[@]} -eq 0 ]] && sanitizers=(address thread)

# Tests that cannot run under a sanitizer, with the reason:
# - FrameAllocationTests count allocations with LiteDetectAllocationCounter, which defines
#   malloc & co. itself; a sanitizer owns those functions, so in a sanitized build the counter
#   is compiled out (it reports -1) and these tests are skipped.
always_skip="FrameAllocationTests"

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address)
            scratch=.build-asan
            sanitizer_skip=""
            mkdir -p "$scratch"
            # LeakSanitizer runs at every exit (the test runner's and each `detect` it starts).
            # Allocations that live for the whole process by design are not leaks of ours:
            # Foundation caches every Bundle it has looked up (Bundle.allBundles), and XCTest
            # keeps its test list and teardown blocks to the end. Foundation's file
            # reader loses its 4 KiB buffer when a file turns out empty (Data(contentsOf:) of a
            # 0-byte file, swift-foundation with Swift 6.3.1), which no caller can free. And
            # LeakSanitizer cannot follow a pointer into which Swift packed an enum tag (spare
            # bits): the anchor generator inside `AnchorConfig.tensorFlow` of a detector that
            # lives to the end (a test's `static let`) looks unreachable though it is not. The
            # same holds for the side table of any object with a weak reference: the object's
            # refcount field holds the table's address shifted, so the table looks leaked.
            cat > "$scratch/lsan-suppressions.txt" <<'SUPPRESSIONS'
leak:CFBundleGetAllBundles
leak:XCTMainMisc
leak:TeardownBlocksState
leak:formWeakReference
leak:readBytesFromFile
leak:AnchorConfig
SUPPRESSIONS
            export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:${ASAN_OPTIONS:-}"
            export LSAN_OPTIONS="suppressions=$root/$scratch/lsan-suppressions.txt:print_suppressions=0:${LSAN_OPTIONS:-}"
            ;;
        thread)
            scratch=.build-tsan
            mkdir -p "$scratch"
            # No suppressions: the frame-loop types lock with NSLock (`Locked`), which TSan sees;
            # `Synchronization.Mutex` it does not see on Linux (docs/RELIABILITY.md).
            export TSAN_OPTIONS="halt_on_error=0:exitcode=66:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
            # Under a file size limit the TSan runtime itself dies (SIGBUS) before `detect` writes
            # anything, so the test that kills a write with that limit cannot run.
            # Resident-memory tests measure the process, and TSan's shadow memory grows with it.
            sanitizer_skip="|testAKillDuringTheWriteLeavesNoPartialFileUnderTheFinalName|FrameMemoryTests"
            ;;
    esac
    echo "== $sanitizer sanitizer ($configuration build in $scratch) ${filter[*]:-(whole suite)}"
    start=$(date +%s)
    if swift test -c "$configuration" --sanitize="$sanitizer" --scratch-path "$scratch" \
        --skip "$always_skip$sanitizer_skip${user_skip:-}" ${filter[@]+"${filter[@]}"}; then
        echo "== $sanitizer: clean ($(( $(date +%s) - start )) s)"
    else
        code=$?
        echo "== $sanitizer: FAILED with status $code ($(( $(date +%s) - start )) s)"
        status=1
    fi
done
exit $status
