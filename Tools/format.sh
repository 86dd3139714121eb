#!/usr/bin/env bash
# Formats the project's Swift (swift-format, from the Swift toolchain, with .swift-format) and C
# (clang-format 14, Debian's `clang-format` package, with .clang-format) in place; with --check,
# changes nothing and exits 1 listing what is not formatted. Generated code (the protobuf types in
# Sources/LiteDetectImportFormats) and package checkouts are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
[[ "${1:-}" == "--check" ]] && check=1

swift_files() {
    { find Sources Tests Fuzz/Sources Examples/FrameLoop Examples/Consumer/Sources -name '*.swift' -not -path '*/.build/*' \
        -not -path 'Sources/LiteDetectImportFormats/*'; echo Package.swift; echo Examples/Consumer/Package.swift; } | sort
}
c_files() {
    find Sources Fuzz/Sources Tools -name '*.c' -o -name '*.h' | grep -v '/\.build' | sort
}

if (( check )); then
    status=0
    swift format lint --strict --parallel $(swift_files) || status=1
    for file in $(c_files); do
        if ! clang-format --style=file "$file" | cmp -s - "$file"; then
            echo "$file: not formatted with .clang-format" >&2
            status=1
        fi
    done
    exit $status
fi
swift format format --in-place --parallel $(swift_files)
c_files | xargs clang-format -i --style=file
