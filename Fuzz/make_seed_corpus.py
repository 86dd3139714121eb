#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora, Fuzz/Corpus/<target>/ (small, committed).

Seeds are valid or nearly valid inputs that reach deep into each parser: copies of committed
files (decode fixtures, bundled configs, the hostile corpus) plus a few streams built here from
the format specifications. libFuzzer mutates them; what it learns stays out of git
(.build-fuzz/work/corpus/). Deterministic; standard library only.

    python3 Fuzz/make_seed_corpus.py
"""

import json
import shutil
import struct
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "Corpus"
DECODE = ROOT / "Tests/LiteDetectImageTests/Fixtures/decode"
HOSTILE = ROOT / "Tests/HostileInput"

if CORPUS.exists():
    shutil.rmtree(CORPUS)


def seed(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# image-decode: every JPEG process and PNG colour type the decoder converts, EXIF both endians.
for name in ["jpeg_baseline_444.jpg", "jpeg_progressive_420.jpg", "jpeg_optimized_444.jpg", "jpeg_restart_rows_420.jpg",
             "jpeg_gray.jpg", "jpeg_cmyk_adobe.jpg", "jpeg_ycck_adobe.jpg", "jpeg_12bit_precision.jpg",
             "jpeg_exif_orientation_6.jpg", "jpeg_exif_orientation_6_big_endian.jpg",
             "png_rgb8.png", "png_palette8_trns.png", "png_gray1.png", "png_gray4_interlaced.png", "png_gray16.png",
             "png_gray_alpha8.png", "png_rgba16_interlaced.png"]:
    seed("image-decode", name, (DECODE / name).read_bytes())
for path in sorted((HOSTILE / "images").iterdir()):
    if path.stat().st_size <= 16384:
        seed("image-decode", "hostile_" + path.name, path.read_bytes())


# safetensors: every dtype, metadata, an empty tensor, a scalar; plus the hostile corpus.
def safetensors(header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


seed("safetensors", "all_dtypes.safetensors", safetensors({
    "__metadata__": {"format": "pt"},
    "a": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]},
    "b": {"dtype": "F16", "shape": [1], "data_offsets": [8, 10]},
    "c": {"dtype": "BF16", "shape": [1], "data_offsets": [10, 12]},
    "d": {"dtype": "F64", "shape": [], "data_offsets": [12, 20]},
    "e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [20, 20]},
}, struct.pack("<2f", 1.0, -2.0) + struct.pack("<e", 0.5) + b"\x00\x3f" + struct.pack("<d", 3.0)))
for path in sorted((HOSTILE / "weights").iterdir()):
    seed("safetensors", path.name, path.read_bytes())

# model-config: the bundled configs (every anchor, coder and postprocess family) and the hostile ones.
for path in sorted((ROOT / "Configs/models").glob("*.json")):
    seed("model-config", path.name, path.read_bytes())
for path in sorted((HOSTILE / "configs").glob("*.json")):
    if path.stat().st_size <= 16384:
        seed("model-config", "hostile_" + path.name, path.read_bytes())


# y4m: each colour space, frame parameters, X fields, odd sizes; plus the hostile streams.
def y4m(header, frames):
    return (header + "\n").encode() + b"".join(b"FRAME" + parameters + b"\n" + planes for parameters, planes in frames)


def planes(width, height, chroma):
    luma = bytes((x * 7 + y * 13) % 256 for y in range(height) for x in range(width))
    cw, ch = chroma
    return luma + bytes([96] * (cw * ch)) + bytes([160] * (cw * ch))


seed("y4m", "420jpeg_3x2.y4m", y4m("YUV4MPEG2 W3 H2 F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG",
                                   [(b"", planes(3, 2, (2, 1))), (b" Ixyz", planes(3, 2, (2, 1)))]))
seed("y4m", "422_4x2.y4m", y4m("YUV4MPEG2 W4 H2 F25:1 C422", [(b"", planes(4, 2, (2, 2)))]))
seed("y4m", "444_2x2.y4m", y4m("YUV4MPEG2 W2 H2 C444", [(b"", planes(2, 2, (2, 2)))]))
seed("y4m", "mono_5x3.y4m", y4m("YUV4MPEG2 W5 H3 Cmono It", [(b"", bytes(range(15)))]))
seed("y4m", "420mpeg2_no_frames.y4m", y4m("YUV4MPEG2 W8 H8 C420mpeg2 Im A128:117", []))
for path in sorted((HOSTILE / "y4m").iterdir()):
    if path.stat().st_size <= 16384:
        seed("y4m", path.name, path.read_bytes())


# tensorflow-import and caffe-import: protobufs built here from the schemas' field numbers
# (Tools/protos), small enough to mutate: a GraphDef with the OD API's preprocessing and stem, a
# Caffe prototxt (text) and a caffemodel (binary) with one convolution.
def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, payload):  # length-delimited (wire type 2)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def int_field(number, value):  # varint (wire type 0)
    return varint(number << 3) + varint(value)


def float_tensor(shape, values):  # TensorProto: dtype 1 (DT_FLOAT), tensor_shape 2, tensor_content 4
    dims = b"".join(field(2, int_field(1, d)) for d in shape)
    return int_field(1, 1) + field(2, dims) + field(4, struct.pack(f"<{len(values)}f", *values))


def node(name, op, inputs=(), attrs=()):  # NodeDef: name 1, op 2, input 3, attr 5 (map entry: key 1, value 2)
    body = field(1, name.encode()) + field(2, op.encode()) + b"".join(field(3, i.encode()) for i in inputs)
    return body + b"".join(field(5, field(1, key.encode()) + field(2, value)) for key, value in attrs)


const = lambda name, shape, values: node(name, "Const", attrs=[("value", field(8, float_tensor(shape, values)))])
stem = "FeatureExtractor/MobilenetV2/Conv/"
graph = b"".join(field(1, n) for n in [
    node("image_tensor", "Placeholder"),
    const("Preprocessor/mul/x", [], [0.007843138]),
    node("Preprocessor/mul", "Mul", ["Preprocessor/mul/x", "image_tensor"]),
    const("Preprocessor/sub/y", [], [1.0]),
    node("Preprocessor/sub", "Sub", ["Preprocessor/mul", "Preprocessor/sub/y"]),
    const(stem + "weights", [3, 3, 3, 2], [0.5 - i / 54 for i in range(54)]),
    node(stem + "Conv2D", "Conv2D", ["Preprocessor/sub", stem + "weights"],
         [("padding", field(2, b"SAME")), ("strides", field(1, b"".join(int_field(3, v) for v in [1, 2, 2, 1])))]),
    node(stem + "Relu6", "Relu6", [stem + "Conv2D"]),
])
seed("tensorflow-import", "od_api_stem.pb", graph)

prototxt = b"""name: "seed"
input: "data"
input_shape { dim: 1 dim: 3 dim: 300 dim: 300 }
layer { name: "conv0" type: "Convolution" bottom: "data" top: "conv0" convolution_param { num_output: 2 pad: 1 kernel_size: 3 stride: 2 } }
layer { name: "conv0/relu" type: "ReLU" bottom: "conv0" top: "conv0" }
layer { name: "conv0_mbox_priorbox" type: "PriorBox" bottom: "conv0" bottom: "data" top: "p"
  prior_box_param { min_size: 60.0 aspect_ratio: 2.0 flip: true clip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 offset: 0.5 } }
"""
seed("caffe-import", "prototxt.bin", b"\x00" + prototxt)
blob = lambda shape, values: field(7, field(1, b"".join(varint(d) for d in shape))) + field(5, struct.pack(f"<{len(values)}f", *values))
layer = field(1, b"conv0") + field(2, b"Convolution") + field(7, blob([2, 3, 3, 3], [i / 54 for i in range(54)])) + field(7, blob([2], [0.1, -0.1]))
seed("caffe-import", "caffemodel.bin", b"\x01" + field(100, layer))

total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
print(f"{sum(1 for p in CORPUS.rglob('*') if p.is_file())} seeds, {total} bytes")
