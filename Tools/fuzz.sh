#!/usr/bin/env bash
# Builds LiteDetect's libFuzzer targets (Fuzz/Sources, part of the main package only when
# LITEDETECT_FUZZ=1, so that they reach its `package` parsers) with AddressSanitizer
# and runs them, one at a time.
#
#   Tools/fuzz.sh                         every target, 60 s each
#   Tools/fuzz.sh image-decode 300        one target for 300 s
#   Tools/fuzz.sh --build-only            just build
#   FUZZ_JOBS=2 Tools/fuzz.sh ...         libFuzzer -fork=2 (more cores)
#
# Targets: image-decode (ImageDecoder.decode), safetensors (SafeTensors.parse),
# model-config (ModelConfig.parse), y4m (Y4MReader), video-file (VideoFileReader: FFmpeg's demuxers and
# decoders behind LiteDetect's shim), tensorflow-import and caffe-import (`detect import`'s
# readers: TensorFlowSSDImporter and CaffeSSDImporter on bytes), onnx-import (ONNXImporter on bytes, against
# the ssdlite320-mobilenetv3-small config).
# Seeds: Fuzz/Corpus/<target>/ (committed, small). New inputs libFuzzer finds go to
# .build-fuzz/work/corpus/<target>/ (not committed); crashes to .build-fuzz/work/artifacts/<target>/, with a
# line to reproduce it. A crash is a bug: fix it, copy the input into Fuzz/Corpus/<target>/ and
# add a regression test (see docs/RELIABILITY.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$root/.build-fuzz"
work="$scratch/work"  # inside the ignored build folder

declare -A executables=(
    [image-decode]=FuzzImageDecode
    [safetensors]=FuzzSafeTensors
    [model-config]=FuzzModelConfig
    [y4m]=FuzzY4MReader
    [video-file]=FuzzVideoFile
    [tensorflow-import]=FuzzTensorFlowImport
    [caffe-import]=FuzzCaffeImport
    [onnx-import]=FuzzONNXImport
    [multipart-form]=FuzzMultipartForm
)
order=(image-decode safetensors model-config y4m video-file tensorflow-import caffe-import onnx-import multipart-form)

build() {
    # -sanitize=fuzzer instruments every Swift module for coverage and links libFuzzer (each
    # target's @main starts libFuzzer's driver: SwiftPM owns `main`); the C shim over
    # libjpeg/libpng gets the same through -Xcc. lld, because gold crashes on these links
    # ("internal error in format_file_lineno"). The system libjpeg-turbo and libpng are not
    # instrumented: coverage guidance stops at their boundary, and ASan sees their memory only
    # through the functions it intercepts (malloc, memcpy, ...), not their every access.
    # Only the fuzz executables (not `detect` or the examples): one build per product, sharing
    # everything they have in common.
    local target
    for target in "${order[@]}"; do
        LITEDETECT_FUZZ=1 swift build -c release --package-path "$root" --scratch-path "$scratch" \
            --product "${executables[$target]}" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -g -Xswiftc -use-ld=lld \
            -Xcc -fsanitize=fuzzer-no-link,address -Xcc -g
    done
}

run() {
    local target="$1" seconds="$2"
    local executable="${executables[$target]:?unknown target $target (one of ${order[*]})}"
    local corpus="$work/corpus/$target" artifacts="$work/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    local binary
    binary="$(LITEDETECT_FUZZ=1 swift build -c release --package-path "$root" --scratch-path "$scratch" --show-bin-path)/$executable"
    local options=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536
                   -artifact_prefix="$artifacts" -print_final_stats=1)
    if [[ -f "$root/Fuzz/Dictionaries/$target.dict" ]]; then options+=(-dict="$root/Fuzz/Dictionaries/$target.dict"); fi
    if [[ -n "${FUZZ_JOBS:-}" ]]; then options+=(-fork="$FUZZ_JOBS"); fi
    echo "== $target: $seconds s (corpus $corpus, seeds Fuzz/Corpus/$target)"
    # ASan: report leaks too; libFuzzer treats any report as a crash and saves the input.
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
        "$binary" "${options[@]}" "$corpus" "$root/Fuzz/Corpus/$target"
}

build_only=0
args=()
for argument in "$@"; do
    if [[ "$argument" == "--build-only" ]]; then build_only=1; else args+=("$argument"); fi
done
build
[[ $build_only == 1 ]] && exit 0

if [[ ${#args[@]} -ge 1 ]]; then
    run "${args[0]}" "${args[1]:-60}"
else
    for target in "${order[@]}"; do run "$target" 60; done
fi
