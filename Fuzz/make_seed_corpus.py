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

# onnx-import: miniature graphs in the shapes torch.onnx.export writes (onnx.proto field numbers),
# with the helpers above.
def float_field(number, value):  # fixed32 (wire type 5)
    return varint(number << 3 | 5) + struct.pack("<f", value)


ONNX_FLOAT, ONNX_INT64 = 1, 7


def onnx_floats(values):
    return struct.pack(f"<{len(values)}f", *values)


def onnx_int64s(values):
    return struct.pack(f"<{len(values)}q", *values)


def onnx_tensor(name, dims, data_type, raw):
    return b"".join(int_field(1, d) for d in dims) + int_field(2, data_type) + field(8, name.encode()) + field(9, raw)


def onnx_attribute(name, value):
    if isinstance(value, float):
        return field(1, name.encode()) + float_field(2, value) + int_field(20, 1)
    if isinstance(value, int):
        return field(1, name.encode()) + int_field(3, value) + int_field(20, 2)
    if isinstance(value, bytes):
        return field(1, name.encode()) + field(5, value) + int_field(20, 4)
    return field(1, name.encode()) + b"".join(int_field(8, v) for v in value) + int_field(20, 7)


def onnx_node(op, inputs, outputs, **attributes):
    return (b"".join(field(1, i.encode()) for i in inputs) + b"".join(field(2, o.encode()) for o in outputs) + field(3, ("/" + outputs[0]).encode())
            + field(4, op.encode()) + b"".join(field(5, onnx_attribute(k, v)) for k, v in attributes.items()))


def onnx_value(name, dims):
    shape = b"".join(field(1, int_field(1, d)) for d in dims)
    return field(1, name.encode()) + field(2, field(1, int_field(1, ONNX_FLOAT) + field(2, shape)))


def onnx_model(nodes, initializers, input_dims, outputs):
    graph = (b"".join(field(1, n) for n in nodes) + field(2, "seed".encode()) + b"".join(field(5, t) for t in initializers)
             + field(11, onnx_value("images", input_dims)) + b"".join(field(12, onnx_value(o, [])) for o in outputs))
    return int_field(1, 8) + field(2, "pytorch".encode()) + field(7, graph) + field(8, int_field(2, 17))


def constant(name, values):
    return onnx_node("Constant", [], [name], value=onnx_tensor("", [len(values)], ONNX_INT64, onnx_int64s(values)))


def scalar(name, value):
    return onnx_node("Constant", [], [name], value=onnx_tensor("", [], ONNX_FLOAT, onnx_floats([value])))


def weights(name, dims, scale=0.1):
    count = 1
    for d in dims:
        count *= d
    return onnx_tensor(name, dims, ONNX_FLOAT, onnx_floats([scale * ((i * 37) % 17 - 8) / 8 for i in range(count)]))


# Conv + BatchNorm + ReLU6 into torchvision's head output pattern.
seed("onnx-import", "conv_bn_relu6_head.onnx", onnx_model(
    [onnx_node("Conv", ["images", "c.weight"], ["conv"], dilations=[1, 1], group=1, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
     onnx_node("BatchNormalization", ["conv", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["bn"],
               epsilon=0.001, momentum=0.9, training_mode=0),
     scalar("lo", 0.0), scalar("hi", 6.0),
     onnx_node("Clip", ["bn", "lo", "hi"], ["act"]),
     onnx_node("Conv", ["act", "h.weight", "h.bias"], ["head"], dilations=[1, 1], group=1, kernel_shape=[1, 1], pads=[0, 0, 0, 0], strides=[1, 1]),
     constant("s5", [1, -1, 4, 8, 8]), onnx_node("Reshape", ["head", "s5"], ["r5"], allowzero=0),
     onnx_node("Transpose", ["r5"], ["t5"], perm=[0, 3, 4, 1, 2]),
     constant("s3", [1, -1, 4]), onnx_node("Reshape", ["t5", "s3"], ["r3"], allowzero=0),
     onnx_node("Concat", ["r3"], ["bbox_regression"], axis=1)],
    [weights("c.weight", [8, 3, 3, 3]), weights("bn.weight", [8], 1.0), weights("bn.bias", [8]), weights("bn.running_mean", [8]),
     onnx_tensor("bn.running_var", [8], ONNX_FLOAT, onnx_floats([1.0] * 8)), weights("h.weight", [24, 8, 1, 1]), weights("h.bias", [24])],
    [1, 3, 16, 16], ["bbox_regression"]))

# Squeeze-and-excitation, hard-swish, a channel split by shape arithmetic, a shuffle, pools.
seed("onnx-import", "se_split_shuffle_pools.onnx", onnx_model(
    [onnx_node("Conv", ["images", "c.weight"], ["conv"], group=1, kernel_shape=[1, 1], pads=[0, 0, 0, 0], strides=[1, 1]),
     onnx_node("HardSwish", ["conv"], ["hs"]),
     onnx_node("GlobalAveragePool", ["hs"], ["gap"]),
     onnx_node("Conv", ["gap", "fc.weight", "fc.bias"], ["fc"], group=1, kernel_shape=[1, 1], pads=[0, 0, 0, 0], strides=[1, 1]),
     onnx_node("HardSigmoid", ["fc"], ["gate"], alpha=1 / 6),
     onnx_node("Mul", ["gate", "hs"], ["se"]),
     onnx_node("Shape", ["se"], ["shape"]), constant("one", [1]), onnx_node("Gather", ["shape", "one"], ["channels"], axis=0),
     constant("two", [2]), onnx_node("Div", ["channels", "two"], ["half"]), constant("zero", [0]),
     onnx_node("Slice", ["se", "zero", "half", "one"], ["left"]), onnx_node("Slice", ["se", "half", "channels", "one"], ["right"]),
     onnx_node("Relu", ["right"], ["right_relu"]),
     onnx_node("Concat", ["left", "right_relu"], ["cat"], axis=1),
     constant("g5", [1, 2, 4, 8, 8]), onnx_node("Reshape", ["cat", "g5"], ["g"], allowzero=0),
     onnx_node("Transpose", ["g"], ["gt"], perm=[0, 2, 1, 3, 4]),
     constant("g4", [1, 8, 8, 8]), onnx_node("Reshape", ["gt", "g4"], ["shuffled"], allowzero=0),
     onnx_node("MaxPool", ["shuffled"], ["max"], ceil_mode=1, kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[2, 2]),
     onnx_node("AveragePool", ["shuffled"], ["avg"], ceil_mode=0, count_include_pad=1, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
     onnx_node("Add", ["max", "avg"], ["sum"]),
     onnx_node("Split", ["sum"], ["a", "b"], axis=1),
     onnx_node("Concat", ["b", "a"], ["cls_logits"], axis=1)],
    [weights("c.weight", [8, 3, 1, 1]), weights("fc.weight", [8, 8, 1, 1]), weights("fc.bias", [8])],
    [1, 3, 8, 8], ["cls_logits"]))


total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
print(f"{sum(1 for p in CORPUS.rglob('*') if p.is_file())} seeds, {total} bytes")
