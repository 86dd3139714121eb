#!/usr/bin/env python3
"""Writes the hostile-input corpus (Tests/HostileInput/{images,weights,configs,y4m}/).

Every file is built from a format specification (safetensors, PNG, JPEG markers, YUV4MPEG2) or
from files already committed in this repository (the decode fixtures, a bundled config), one
deliberate mistake each, so the expected outcome follows from the mistake and the spec, not from
LiteDetect's behaviour. `MANIFEST.json` lists each file with the error it must produce (the
error case and a fragment of the message; the fragments are the libraries' own texts where a
library reports the error: libjpeg's jerror.h, libpng's png_chunk_error).

Deterministic: run it again and `git diff` shows nothing. Needs only the Python standard library.

    python3 Tests/HostileInput/make_corpus.py
"""

import json
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DECODE_FIXTURES = ROOT / "Tests/LiteDetectImageTests/Fixtures/decode"
BASE_CONFIG = ROOT / "Configs/models/ssdlite320-mobilenetv3-small.json"

manifest = {"generator": "Tests/HostileInput/make_corpus.py", "images": [], "weights": [], "configs": [], "y4m": []}


def write(kind, name, data, **expectation):
    path = HERE / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    manifest[kind].append({"file": f"{kind}/{name}", **expectation})


# MARK: Images (JPEG markers: ITU T.81 Annex B; PNG chunks: PNG spec section 5)

def jpeg_segments(data):
    """Yields (offset, marker) of each marker segment before the first scan."""
    offset = 2  # after SOI
    while offset + 4 <= len(data):
        assert data[offset] == 0xFF, offset
        marker = data[offset + 1]
        yield offset, marker
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return
        length = struct.unpack(">H", data[offset + 2:offset + 4])[0]
        offset += 2 + length


def find_marker(data, marker):
    return next(offset for offset, found in jpeg_segments(data) if found == marker)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_chunks(data):
    offset = 8
    while offset < len(data):
        length = struct.unpack(">I", data[offset:offset + 4])[0]
        yield offset, data[offset + 4:offset + 8], length
        offset += 12 + length


baseline = (DECODE_FIXTURES / "jpeg_baseline_420.jpg").read_bytes()

# SOF5 (differential sequential DCT, hierarchical mode) is valid JPEG that no libjpeg decodes.
sof = bytearray(baseline)
sof[find_marker(baseline, 0xC0) + 1] = 0xC5
write("images", "jpeg_sof5_hierarchical.jpg", bytes(sof), error="unsupported", message="SOF type 0xc5")

# A Huffman table whose 16 code-length counts add up to more than 256 codes (T.81 B.2.4.2).
huffman = bytearray(baseline)
counts = find_marker(baseline, 0xC4) + 5  # FF C4, length (2), class/id (1), then 16 counts
huffman[counts + 14] = 0xFF
huffman[counts + 15] = 0xFF
write("images", "jpeg_bogus_huffman_table.jpg", bytes(huffman), error="corrupt", message="Bogus Huffman table definition")

# One bit of the PNG width flipped: IHDR's CRC no longer matches (a critical chunk: fatal).
png = (DECODE_FIXTURES / "png_rgb8.png").read_bytes()
flipped = bytearray(png)
flipped[8 + 8 + 3] ^= 0x01  # signature, IHDR length + type, then the width's low byte
write("images", "png_ihdr_bitflip.png", bytes(flipped), error="corrupt", message="IHDR: CRC error")

# A zTXt chunk that inflates to 64 MiB, before IDAT: libpng's chunk limit must stop it, and
# the image itself must still decode exactly (its pixels are the committed Pillow reference).
bomb = zlib.compress(b"\0" * (64 << 20), 9)
chunks = list(png_chunks(png))
idat_offset = next(offset for offset, kind, _ in chunks if kind == b"IDAT")
ztxt = png_chunk(b"zTXt", b"Comment\0\0" + bomb)
write("images", "png_ztxt_bomb.png", png[:idat_offset] + ztxt + png[idat_offset:],
      decodes="Tests/LiteDetectImageTests/Fixtures/decode/png_rgb8.rgb", width=37, height=21)


# MARK: Weights (safetensors: u64 LE header length, JSON header, data; huggingface/safetensors README)

def safetensors(header, data=b"", length=None):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


f32 = lambda *values: struct.pack(f"<{len(values)}f", *values)

write("weights", "offsets_out_of_range.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, f32(1, 2)),
      error="malformed", message="entry 'w' ends at byte 16, past the 8 data bytes")
write("weights", "overlapping_tensors.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                   "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, f32(1, 2, 3)),
      error="malformed", message="entry 'b' overlaps the tensor before it")
write("weights", "hole_between_tensors.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                   "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}, f32(1, 0, 2)),
      error="malformed", message="bytes 4..<8 before 'b' belong to no tensor")
write("weights", "bad_dtype_i64.safetensors",
      safetensors({"steps": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, struct.pack("<q", 7)),
      error="unsupportedDType", message="tensor 'steps' has dtype I64")
write("weights", "nan_value.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}}, f32(1, float("nan"), 3)),
      error="nonFinite", message="tensor 'w' holds a NaN or infinity at element 1")
write("weights", "header_length_beyond_file.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, f32(1), length=4096),
      error="malformed", message="header claims 4096 bytes")
write("weights", "header_length_over_limit.safetensors",
      struct.pack("<Q", (1 << 63) - 1) + b"{}",
      error="tooLarge", message="the JSON header is 9223372036854775807 bytes")
# JSON allows a repeated key, and parsers then keep one value or the other without a word.
duplicate_header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
write("weights", "duplicate_tensor_name.safetensors", struct.pack("<Q", len(duplicate_header)) + duplicate_header + f32(1),
      error="malformed", message="header names 'w' twice")
write("weights", "header_not_an_object.safetensors", safetensors([1, 2, 3]),
      error="malformed", message="not a JSON object")
# 2^61 float32 elements: the byte count (2^63) does not fit a 64-bit signed integer.
write("weights", "element_count_overflow.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [1 << 61], "data_offsets": [0, 4]}}, f32(1)),
      error="malformed", message="entry 'w'")
write("weights", "negative_offset.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}, f32(1)),
      error="malformed", message="bad data_offsets")
# Valid files for the wrong model: the first tensor a MobileNetV3-Small detector asks for
# (its stem convolution, 16 filters) with MobileNetV2's 32 filters; and a file of none of its names.
write("weights", "wrong_model_stem_shape.safetensors",
      safetensors({"backbone.features.0.0.weight": {"dtype": "F32", "shape": [32, 3, 3, 3], "data_offsets": [0, 32 * 27 * 4]}},
                  f32(*([0.0] * (32 * 27)))),
      error="shapeMismatch", message="tensor 'backbone.features.0.0.weight' has shape [32, 3, 3, 3], the model expects [16, 3, 3, 3]")
write("weights", "wrong_model_names.safetensors",
      safetensors({"model.conv1.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, f32(1)),
      error="missing", message="no tensor named 'backbone.features.0.0.weight'")


# MARK: Configs (one mistake each in a bundled config; keys per Configs/README.md)

base = json.loads(BASE_CONFIG.read_text())


def config(name, edit=None, raw=None, **expectation):
    if raw is None:
        document = json.loads(json.dumps(base))
        edit(document)
        raw = (json.dumps(document, indent=2) + "\n").encode()
    write("configs", name, raw, **expectation)


config("unknown_key.json", lambda c: c.update(wieghts="x.safetensors"), error="unknownKey", key="wieghts")
config("unknown_nested_key.json", lambda c: c["anchors"].update(min_scale=0.2), error="unknownKey", key="anchors.min_scale")
config("missing_labels.json", lambda c: c.pop("labels"), error="missingKey", key="labels")
config("width_is_a_string.json", lambda c: c["input"].update(width="320"), error="wrongType", key="input.width")
config("input_smaller_than_16.json", lambda c: c["input"].update(width=8), error="invalidValue", key="input.width")
# JSON has no infinity; 1e999 is out of a double's range (RFC 8259 section 6 lets parsers refuse it).
config("std_overflows_to_infinity.json",
       raw=BASE_CONFIG.read_bytes().replace(b'"std": [0.5, 0.5, 0.5]', b'"std": [1e999, 0.5, 0.5]'),
       error="invalidJSON", message="the number 1e999 is out of range")
config("odd_extra_layer.json", lambda c: c["network"].update(extra_layers=[512, 255, 256, 128]), error="invalidValue", key="network.extra_layers")
config("anchor_levels_mismatch.json", lambda c: c["network"].update(extra_layers=[512, 256]), error="invalidValue", key="anchors")
config("shufflenetv1_scale_empties_a_stage.json",
       lambda c: c.update(backbone={"name": "shufflenetv1", "groups": 3, "scale": 0.01}), error="invalidValue", key="backbone")
config("duplicate_key.json", raw=BASE_CONFIG.read_bytes().replace(b'"input": {', b'"input": {\n    "width": 640,', 1),
       error="duplicateKey", key="input.width")
config("truncated.json", raw=BASE_CONFIG.read_bytes()[:200], error="invalidJSON", message="unterminated string")
config("empty.json", raw=b"", error="invalidJSON")
config("not_utf8.json", raw=BASE_CONFIG.read_bytes().replace(b'"person"', b'"p\xe9rson"'), error="invalidJSON",
       message="the string is not valid UTF-8")
config("nested_100000_deep.json", raw=b'{"name": ' + b"[" * 100000 + b"]" * 100000 + b"}", error="invalidJSON",
       message="nested deeper than 512 levels")
config("top_level_array.json", raw=b"[1, 2, 3]\n", error="wrongType", key="")
# Valid configs whose network cannot be built (the build must throw, naming the layer or option).
config("mobilenetv3_width_without_expansion.json",
       lambda c: c["backbone"].update(width=0.01), build_error="width")
config("squeezenet_input_16.json",
       lambda c: (c.update(name="squeezenet1.1-at-16", backbone={"name": "squeezenet1.1"}), c["input"].update(width=16, height=16)),
       build_error="smaller than the 3×3 pool window")


# MARK: Y4M (yuv4mpeg(5): "YUV4MPEG2 W.. H.. ...\n", then "FRAME\n" + planes per frame)

def y4m(header, frames, cut=None):
    data = (header + "\n").encode()
    for frame in frames:
        data += b"FRAME\n" + frame
    return data if cut is None else data[:cut]


plane = bytes(range(64)) + bytes([128] * 32)  # 8x8 I420: 64 luma + 2 x 16 chroma
write("y4m", "truncated_mid_frame.y4m", y4m("YUV4MPEG2 W8 H8 F25:1 C420jpeg", [plane, plane])[:-40],
      error="truncatedFrame", frame=1, message="frame 1: stream ends after 56 of its 96 bytes", frames_before=1)
write("y4m", "absurd_dimensions.y4m", y4m("YUV4MPEG2 W1048576 H1048576 F25:1", [b""]),
      error="tooLarge", message="1048576x1048576")
write("y4m", "width_over_format_limit.y4m", y4m("YUV4MPEG2 W99999999999 H8", []),
      error="malformedHeader", message="W (width) is '99999999999'")
write("y4m", "no_newline_in_header.y4m", b"YUV4MPEG2 W8 H8 X" + b"A" * 20000,
      error="malformedHeader", message="no end of line")
write("y4m", "garbage_frame_header.y4m", y4m("YUV4MPEG2 W8 H8", [plane])+ b"FRAMEZ\n" + plane,
      error="malformedFrameHeader", frame=1, message="expected 'FRAME'", frames_before=1)

(HERE / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
print(f"wrote {sum(len(v) for k, v in manifest.items() if isinstance(v, list))} files, {total} bytes in all")
