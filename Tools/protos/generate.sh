#!/usr/bin/env bash
# Regenerates Sources/LiteDetectImportFormats/*.pb.swift from the .proto files beside this script.
# The generated files are committed; the package never runs this at build time.
#
# Needs protoc (Debian: apt-get install protobuf-compiler; used: libprotoc 3.21.12) and
# protoc-gen-swift of the same swift-protobuf version as Package.swift's dependency (1.39.0):
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf && cd swift-protobuf
#   swift build -c release --product protoc-gen-swift
# then either put .build/release on PATH or pass it as PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift.
#
# Usage: Tools/protos/generate.sh            (from anywhere in the repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/Sources/LiteDetectImportFormats"

plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [[ -z "$plugin" || ! -x "$plugin" ]]; then
    echo "generate.sh: protoc-gen-swift not found: put it on PATH or set PROTOC_GEN_SWIFT" >&2
    exit 1
fi
command -v protoc >/dev/null || { echo "generate.sh: protoc not found" >&2; exit 1; }
echo "protoc: $(protoc --version); protoc-gen-swift: $("$plugin" --version)"

# Package visibility: every target of this package (the importer, tests) sees the types, nothing
# outside it does. DropPath: tensorflow/core/framework/graph.proto -> graph.pb.swift (the file
# names of the three schemas do not collide). The access level on `import SwiftProtobuf` is
# stated rather than left to the plugin's Swift-version-dependent default.
options=(
    --swift_opt=Visibility=Package
    --swift_opt=FileNaming=DropPath
    --swift_opt=UseAccessLevelOnImports=true
)

# Import paths are the ones the files use among themselves (tensorflow/core/framework/...).
protos=(
    tensorflow/core/framework/attr_value.proto
    tensorflow/core/framework/full_type.proto
    tensorflow/core/framework/function.proto
    tensorflow/core/framework/graph.proto
    tensorflow/core/framework/graph_debug_info.proto
    tensorflow/core/framework/node_def.proto
    tensorflow/core/framework/op_def.proto
    tensorflow/core/framework/resource_handle.proto
    tensorflow/core/framework/tensor.proto
    tensorflow/core/framework/tensor_shape.proto
    tensorflow/core/framework/types.proto
    tensorflow/core/framework/versions.proto
    caffe/caffe.proto
    onnx/onnx.proto
)

mkdir -p "$out"
rm -f "$out"/*.pb.swift
cd "$here"
protoc --plugin=protoc-gen-swift="$plugin" -I . "${options[@]}" --swift_out="$out" "${protos[@]}"
echo "wrote $(ls "$out"/*.pb.swift | wc -l) files to ${out#"$root"/}"
