#!/usr/bin/env python3
"""Generates the image-decoding fixtures of LiteDetectImageTests.

For every JPEG and PNG variant the decoder must handle, writes a small input file and
the pixels Pillow decodes from it (the reference), plus malformed files that must be
rejected with a particular error. Everything lands in
Tests/LiteDetectImageTests/Fixtures/decode/ with a manifest, cases.json:

  decode[]:    {name, file, expected, width, height, description}
               expected = raw RGB8, rows top to bottom, width*3 bytes each, as decoded by
               Pillow (convert("RGB"); for EXIF cases after ImageOps.exif_transpose; for
               16-bit gray, which Pillow keeps as I;16, the high byte of Pillow's samples).
  truncated:   a JPEG cut mid-scan, the reference pixels of the complete file, and how
               many leading rows survive intact.
  failures[]:  {file, error}: error is the ImageError case the decoder must throw.

Inputs are cut from SampleImages/street.jpg, so only Pillow, numpy and a C compiler with
libjpeg (for the YCCK writer, write_ycck_jpeg.c) are needed:

  python3 Tools/reference/image/make_decode_fixtures.py

Random content uses fixed seeds: reruns produce identical files for the same Pillow.
"""
import io
import json
import os
import random
import struct
import subprocess
import tempfile
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "Tests", "LiteDetectImageTests", "Fixtures", "decode")
SOURCE = os.path.join(ROOT, "SampleImages", "street.jpg")

# Odd sizes that are not multiples of the 8/16-pixel JPEG MCU, so edge blocks are exercised.
JPEG_SIZE = (45, 29)
PNG_SIZE = (37, 21)

decode_cases = []
failure_cases = []


def rel(path):
    return os.path.relpath(path, os.path.dirname(OUT))


def source_crop(width, height, left=300, top=330):
    """An RGB crop of the street scene (a pedestrian on asphalt): real texture and colour."""
    with Image.open(SOURCE) as image:
        return image.convert("RGB").crop((left, top, left + width, top + height))


# ---------------------------------------------------------------- references

def pillow_rgb(path, transpose_exif=False):
    """Pillow's decoding of `path` as an (h, w, 3) uint8 array."""
    with Image.open(path) as image:
        image.load()
        if transpose_exif:
            image = ImageOps.exif_transpose(image)
        if image.mode in ("I;16", "I;16B", "I;16L", "I"):
            # Pillow keeps 16-bit gray as 16-bit integers; the decoder's contract is the high byte.
            gray = (np.asarray(image).astype(np.uint32) >> 8).astype(np.uint8)
            return np.repeat(gray[:, :, None], 3, axis=2)
        return np.asarray(image.convert("RGB"))


def add_case(name, file_path, description, transpose_exif=False, expected_pixels=None):
    pixels = pillow_rgb(file_path, transpose_exif) if expected_pixels is None else expected_pixels
    expected_path = os.path.join(OUT, name + ".rgb")
    with open(expected_path, "wb") as f:
        f.write(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())
    decode_cases.append({
        "name": name,
        "file": rel(file_path),
        "expected": rel(expected_path),
        "width": int(pixels.shape[1]),
        "height": int(pixels.shape[0]),
        "description": description,
    })


# ---------------------------------------------------------------- a PNG writer
# Pillow cannot write interlaced PNGs, 16-bit colour or 2/4-bit gray; this minimal writer
# can. Its output is only an *input*: the reference is still Pillow's decoding, and
# check_png_roundtrip() makes sure Pillow reads back exactly the samples written.

ADAM7_PASSES = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, bit_depth):
    if bit_depth == 16:
        return samples.astype(">u2").tobytes()
    if bit_depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // bit_depth
    padded = np.zeros(-(-len(samples) // per_byte) * per_byte, dtype=np.uint8)
    padded[: len(samples)] = samples
    packed = np.zeros(len(padded) // per_byte, dtype=np.uint8)
    for i in range(per_byte):
        packed |= padded[i::per_byte] << (8 - bit_depth * (i + 1))
    return packed.tobytes()


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, row, previous, bpp):
    """Applies PNG filter `kind` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) to one row of bytes."""
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - predictor) & 0xFF
    return bytes([kind]) + bytes(out)


def write_png(path, samples, color_type, bit_depth, interlace=False, palette=None, trns=None):
    """samples: (h, w, channels) integer array of raw sample values."""
    height, width = samples.shape[:2]
    channels = CHANNELS[color_type]
    bpp = max(1, channels * bit_depth // 8)
    raw = bytearray()
    row_number = 0
    for x0, y0, dx, dy in (ADAM7_PASSES if interlace else [(0, 0, 1, 1)]):
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue  # empty passes have no rows at all, not even filter bytes
        previous = bytes(len(pack_row(sub[0].reshape(-1), bit_depth)))
        for row in sub:
            packed = pack_row(row.reshape(-1), bit_depth)
            raw += filter_row(row_number % 5, packed, previous, bpp)  # every filter type in turn
            previous = packed
            row_number += 1
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        data += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    data += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def check_png_roundtrip(path, expected_rgb):
    actual = pillow_rgb(path)
    assert np.array_equal(actual, expected_rgb), f"Pillow does not read back what was written to {path}"


# ---------------------------------------------------------------- JPEG cases

def jpeg_cases():
    image = source_crop(*JPEG_SIZE)
    variants = [
        ("jpeg_baseline_444", dict(quality=90, subsampling=0), "baseline, 4:4:4"),
        ("jpeg_baseline_422", dict(quality=90, subsampling=1), "baseline, 4:2:2 (h2v1 upsampling)"),
        ("jpeg_baseline_420", dict(quality=90, subsampling=2), "baseline, 4:2:0 (h2v2 fancy upsampling)"),
        ("jpeg_progressive_420", dict(quality=85, subsampling=2, progressive=True), "progressive, 4:2:0"),
        ("jpeg_optimized_444", dict(quality=75, subsampling=0, optimize=True), "optimized Huffman tables"),
        ("jpeg_restart_420", dict(quality=90, subsampling=2, restart_marker_blocks=2), "restart markers every 2 MCUs"),
        ("jpeg_restart_rows_420", dict(quality=90, subsampling=2, restart_marker_rows=1),
         "restart marker after every MCU row"),
    ]
    for name, options, description in variants:
        path = os.path.join(OUT, name + ".jpg")
        image.save(path, "JPEG", **options)
        add_case(name, path, description)

    gray = image.convert("L")
    for name, options, description in [
        ("jpeg_gray", dict(quality=90), "grayscale baseline"),
        ("jpeg_gray_progressive", dict(quality=90, progressive=True), "grayscale progressive"),
    ]:
        path = os.path.join(OUT, name + ".jpg")
        gray.save(path, "JPEG", **options)
        add_case(name, path, description)

    # CMYK with real black ink: Pillow stores CMYK JPEGs Adobe-inverted, as Photoshop does.
    rgb = np.asarray(image).astype(np.float64) / 255
    black = 1 - rgb.max(axis=2)
    ink = (1 - rgb - black[:, :, None]) / np.maximum(1 - black[:, :, None], 1e-6)
    cmyk = np.concatenate([ink, black[:, :, None]], axis=2)
    cmyk = np.clip(np.round(cmyk * 255), 0, 255).astype(np.uint8)
    path = os.path.join(OUT, "jpeg_cmyk_adobe.jpg")
    Image.fromarray(cmyk, mode="CMYK").save(path, "JPEG", quality=90)
    add_case("jpeg_cmyk_adobe", path, "CMYK, Adobe APP14 (inverted), written by Pillow")

    # YCCK: only libjpeg's API writes it, via the small C tool beside this script.
    with tempfile.TemporaryDirectory() as work:
        tool = os.path.join(work, "write_ycck_jpeg")
        subprocess.run(["cc", "-O2", "-o", tool, os.path.join(os.path.dirname(__file__), "write_ycck_jpeg.c"), "-ljpeg"],
                       check=True)
        raw = os.path.join(work, "image.cmyk")
        with open(raw, "wb") as f:
            f.write((255 - cmyk).tobytes())  # Adobe convention: 255 = no ink
        path = os.path.join(OUT, "jpeg_ycck_adobe.jpg")
        subprocess.run([tool, str(JPEG_SIZE[0]), str(JPEG_SIZE[1]), "90", raw, path], check=True)
    add_case("jpeg_ycck_adobe", path, "YCCK, Adobe APP14 transform 2")

    # Tiny images: a single MCU that is mostly padding.
    for name, size in [("jpeg_1x1", (1, 1)), ("jpeg_17x3", (17, 3))]:
        path = os.path.join(OUT, name + ".jpg")
        source_crop(*size).save(path, "JPEG", quality=95)
        add_case(name, path, f"{size[0]}x{size[1]} pixels")

    # A file missing only its final EOI marker: the pixels are complete and must decode
    # (libjpeg warns "Premature end of JPEG file"); the reference is the complete file.
    complete = os.path.join(OUT, "jpeg_baseline_420.jpg")
    with open(complete, "rb") as f:
        data = f.read()
    assert data.endswith(b"\xff\xd9")
    path = os.path.join(OUT, "jpeg_missing_eoi.jpg")
    with open(path, "wb") as f:
        f.write(data[:-2])
    add_case("jpeg_missing_eoi", path, "no EOI marker after the last scan", expected_pixels=pillow_rgb(complete))


def exif_cases():
    # Non-square, so every one of the 8 transforms gives a different picture.
    image = source_crop(23, 13)
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = os.path.join(OUT, f"jpeg_exif_orientation_{orientation}.jpg")
        image.save(path, "JPEG", quality=95, exif=exif.tobytes())
        add_case(f"jpeg_exif_orientation_{orientation}", path,
                 f"EXIF orientation {orientation} (little-endian TIFF, Pillow)", transpose_exif=True)

    # Big-endian ("MM") TIFF header with the tag after another IFD0 entry, hand-assembled.
    plain = io.BytesIO()
    image.save(plain, "JPEG", quality=95)
    body = plain.getvalue()
    entries = [
        struct.pack(">HHI4s", 0x010F, 2, 4, b"Cam\0"),  # Make (ASCII, inline), ahead of the orientation
        struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0),  # Orientation = 6, SHORT, inline
    ]
    tiff = b"MM" + struct.pack(">HI", 42, 8) + struct.pack(">H", len(entries)) + b"".join(entries) + struct.pack(">I", 0)
    app1 = b"Exif\0\0" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    path = os.path.join(OUT, "jpeg_exif_orientation_6_big_endian.jpg")
    with open(path, "wb") as f:
        f.write(body[:2] + segment + body[2:])
    add_case("jpeg_exif_orientation_6_big_endian", path, "EXIF orientation 6 in a big-endian TIFF header",
             transpose_exif=True)


# ---------------------------------------------------------------- PNG cases

def png_cases():
    rgb = np.asarray(source_crop(*PNG_SIZE, left=520, top=300))
    gray = np.asarray(Image.fromarray(rgb).convert("L"))
    rng = np.random.default_rng(20240601)
    alpha = rng.integers(0, 256, size=gray.shape, dtype=np.uint16)
    # 16-bit samples whose low byte is unrelated to the high byte, so keeping the wrong byte shows.
    low = rng.integers(0, 256, size=rgb.shape, dtype=np.uint16)
    rgb16 = rgb.astype(np.uint16) << 8 | low
    gray16 = gray.astype(np.uint16) << 8 | low[:, :, 0]
    alpha16 = alpha << 8 | low[:, :, 1]

    def pillow_saved(name, image, description, **options):
        path = os.path.join(OUT, name + ".png")
        image.save(path, "PNG", **options)
        add_case(name, path, description)

    pillow_saved("png_rgb8", Image.fromarray(rgb), "RGB 8-bit (Pillow)")
    pillow_saved("png_rgba8", Image.fromarray(np.dstack([rgb, alpha.astype(np.uint8)])), "RGBA 8-bit: alpha dropped")
    pillow_saved("png_gray8", Image.fromarray(gray), "gray 8-bit")
    pillow_saved("png_gray_alpha8", Image.fromarray(np.dstack([gray, alpha.astype(np.uint8)])),
                 "gray+alpha 8-bit: alpha dropped")
    pillow_saved("png_gray1", Image.fromarray(gray).convert("1"), "1-bit gray (dithered by Pillow)")
    pillow_saved("png_gray16", Image.fromarray(gray16), "16-bit gray: high byte kept")
    pillow_saved("png_rgb8_trns", Image.fromarray(rgb), "RGB with a tRNS colour key", transparency=tuple(int(v) for v in rgb[0, 0]))

    # Palettes: Pillow's adaptive palette, with per-entry transparency (tRNS) and with fewer bits.
    paletted = Image.fromarray(rgb).quantize(colors=200, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pillow_saved("png_palette8_trns", paletted, "palette (8-bit indices) + tRNS alpha per entry",
                 transparency=bytes(range(0, 250, 5)))
    paletted16 = Image.fromarray(rgb).quantize(colors=16, dither=Image.Dither.NONE)
    pillow_saved("png_palette4", paletted16, "palette with 4-bit indices", bits=4)
    paletted2 = Image.fromarray(rgb).quantize(colors=2, dither=Image.Dither.NONE)
    pillow_saved("png_palette1", paletted2, "palette with 1-bit indices", bits=1)

    def own(name, samples, color_type, bit_depth, description, intended_rgb, **options):
        path = os.path.join(OUT, name + ".png")
        write_png(path, samples, color_type, bit_depth, **options)
        check_png_roundtrip(path, intended_rgb)
        add_case(name, path, description)

    as_rgb = lambda g: np.repeat(g[:, :, None], 3, axis=2).astype(np.uint8)
    own("png_rgb16", rgb16, 2, 16, "RGB 16-bit: high byte kept", rgb)
    own("png_rgba16", np.dstack([rgb16, alpha16]), 6, 16, "RGBA 16-bit: high byte kept, alpha dropped", rgb)
    own("png_gray_alpha16", np.dstack([gray16, alpha16]), 4, 16, "gray+alpha 16-bit", as_rgb(gray))
    for bits in (2, 4):
        levels = (1 << bits) - 1
        quantized = (gray.astype(np.uint32) * levels + 127) // 255
        own(f"png_gray{bits}", quantized[:, :, None], 0, bits, f"{bits}-bit gray (scaled to 8 bits)",
            as_rgb(quantized * (255 // levels)))
    own("png_gray8_trns", gray[:, :, None], 0, 8, "gray with a tRNS gray key", as_rgb(gray),
        trns=struct.pack(">H", int(gray[0, 0])))

    # Adam7 interlacing across colour types and depths.
    own("png_rgb8_interlaced", rgb, 2, 8, "Adam7-interlaced RGB 8-bit", rgb, interlace=True)
    own("png_rgba16_interlaced", np.dstack([rgb16, alpha16]), 6, 16, "Adam7-interlaced RGBA 16-bit", rgb, interlace=True)
    own("png_gray4_interlaced", ((gray.astype(np.uint32) * 15 + 127) // 255)[:, :, None], 0, 4,
        "Adam7-interlaced 4-bit gray", as_rgb(((gray.astype(np.uint32) * 15 + 127) // 255) * 17), interlace=True)
    palette = np.asarray(paletted.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)
    indices = np.asarray(paletted)
    own("png_palette8_interlaced", indices[:, :, None], 3, 8, "Adam7-interlaced palette + tRNS", palette[indices],
        interlace=True, palette=palette[: indices.max() + 1], trns=bytes(range(0, 250, 5)))
    # Smaller than one Adam7 block: several passes are empty.
    tiny = rgb[:3, :2]
    own("png_rgb8_interlaced_2x3", tiny, 2, 8, "Adam7 with empty passes (2x3)", tiny, interlace=True)


# ---------------------------------------------------------------- malformed inputs

def failure(name, data, error):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)
    failure_cases.append({"file": rel(path), "error": error})


def png_with_ihdr(width, height, bit_depth=8, color_type=2):
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 16))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + chunk(b"IEND", b"")


def jpeg_with_sof(data, width=None, height=None, precision=None):
    """Rewrites the first SOF0/SOF2 segment's precision and size fields."""
    out = bytearray(data)
    i = 2
    while i < len(out):
        assert out[i] == 0xFF
        marker = out[i + 1]
        length = struct.unpack(">H", out[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC2):
            if precision is not None:
                out[i + 4] = precision
            if height is not None:
                out[i + 5 : i + 7] = struct.pack(">H", height)
            if width is not None:
                out[i + 7 : i + 9] = struct.pack(">H", width)
            return bytes(out)
        i += 2 + length
    raise ValueError("no SOF marker")


def failure_cases_and_truncation():
    rng = random.Random(7)
    with open(os.path.join(OUT, "jpeg_baseline_420.jpg"), "rb") as f:
        jpeg = f.read()
    with open(os.path.join(OUT, "png_rgb8.png"), "rb") as f:
        png = f.read()

    failure("empty.jpg", b"", "empty")
    failure("random_bytes.jpg", bytes(rng.getrandbits(8) for _ in range(2048)), "unknownFormat")
    failure("gif_named_png.png", b"GIF89a" + bytes(64), "unknownFormat")
    failure("text_named_jpg.jpg", b"this is not an image\n", "unknownFormat")
    failure("jpeg_magic_then_random.jpg", b"\xff\xd8\xff" + bytes(rng.getrandbits(8) for _ in range(2048)), "corrupt")
    failure("png_signature_then_random.png", png[:8] + bytes(rng.getrandbits(8) for _ in range(2048)), "corrupt")
    failure("jpeg_truncated_in_header.jpg", jpeg[:120], "truncated")

    # Cut mid-scan: an error by default; decodable on request. The cut falls a few bytes after
    # the first restart marker of a file with one marker per MCU row, so the whole first MCU
    # row (16 rows in 4:2:0) is in the file and the second row is not.
    with open(os.path.join(OUT, "jpeg_restart_rows_420.jpg"), "rb") as f:
        restartable = f.read()
    first_restart = restartable.index(b"\xff\xd0", restartable.index(b"\xff\xda"))
    failure("jpeg_truncated_in_scan.jpg", restartable[: first_restart + 6], "truncated")
    failure("png_truncated_in_idat.png", png[: len(png) * 60 // 100], "truncated")

    # A flipped bit in the IDAT payload breaks its CRC (a critical chunk: libpng errors).
    idat = png.index(b"IDAT")
    damaged = bytearray(png)
    damaged[idat + 10] ^= 0x01
    failure("png_bad_idat_crc.png", bytes(damaged), "corrupt")
    failure("png_bit_depth_3.png", png_with_ihdr(4, 4, bit_depth=3), "corrupt")
    failure("png_zero_width.png", png_with_ihdr(0, 4), "corrupt")

    # Headers that announce gigapixels: refused from the header alone, before allocation.
    failure("png_65535x65535_header.png", png_with_ihdr(65535, 65535), "tooLarge")
    failure("jpeg_65500x65500_header.jpg", jpeg_with_sof(jpeg, width=65500, height=65500), "tooLarge")
    # 12-bit samples: valid JPEG, but this libjpeg build decodes 8-bit only.
    failure("jpeg_12bit_precision.jpg", jpeg_with_sof(jpeg, precision=12), "unsupported")

    return {
        "file": rel(os.path.join(OUT, "jpeg_truncated_in_scan.jpg")),
        "completeExpected": rel(os.path.join(OUT, "jpeg_restart_rows_420.rgb")),
        "width": JPEG_SIZE[0],
        "height": JPEG_SIZE[1],
        # The first MCU row is 16 pixel rows, but h2v2 "fancy" upsampling blends chroma rows 7 and
        # 8 into pixel row 15, and chroma row 8 belongs to the missing second MCU row.
        "intactRows": 15,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    jpeg_cases()
    exif_cases()
    png_cases()
    truncated = failure_cases_and_truncation()
    manifest = {
        "generator": "Tools/reference/image/make_decode_fixtures.py",
        "pillow": PIL.__version__,
        "pillowLibjpegTurbo": PIL.features.version("libjpeg_turbo"),
        "decode": decode_cases,
        "truncated": truncated,
        "failures": failure_cases,
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{len(decode_cases)} decode cases, {len(failure_cases)} failure cases in {OUT}")


if __name__ == "__main__":
    import PIL.features  # noqa: F401  (version report in the manifest)
    main()
