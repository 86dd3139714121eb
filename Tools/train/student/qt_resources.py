"""Reads the files packed in a Qt resource bundle (``.rcc``, format versions 1-3).

GCompris ships its activities' pictures this way (Debian ``gcompris-qt-data``). Layout from Qt's
``rcc`` documentation and ``qresource.cpp``: a ``qres`` header with the offsets of the tree, the
data and the names; tree nodes of 14 bytes (22 from version 2, with a modification time);
zlib-compressed entries (flag 1) hold their size, big-endian, before the stream; zstd (flag 4)
is refused, as none of GCompris's bundles uses it.
"""

import struct
import zlib

COMPRESSED, DIRECTORY, COMPRESSED_ZSTD = 0x01, 0x02, 0x04


def read_resources(path: str) -> dict[str, bytes]:
    """Every file in the bundle: its path inside (``/activity/resource/x.png``) -> its bytes."""
    with open(path, "rb") as file:
        blob = file.read()
    if blob[:4] != b"qres":
        raise ValueError(f"{path} is not a Qt resource bundle")
    version, tree, data, names = struct.unpack(">IIII", blob[4:20])
    node_size = 14 if version < 2 else 22

    def name_at(offset: int) -> str:
        (length,) = struct.unpack(">H", blob[names + offset:names + offset + 2])
        start = names + offset + 6  # length, then a 4-byte hash
        return blob[start:start + 2 * length].decode("utf-16-be")

    files: dict[str, bytes] = {}

    def walk(node: int, prefix: str) -> None:
        base = tree + node * node_size
        name_offset, flags = struct.unpack(">IH", blob[base:base + 6])
        name = "" if node == 0 else name_at(name_offset)
        if flags & DIRECTORY:
            count, first = struct.unpack(">II", blob[base + 6:base + 14])
            for child in range(first, first + count):
                walk(child, f"{prefix}{name}/" if node else "/")
            return
        (offset,) = struct.unpack(">I", blob[base + 10:base + 14])
        (size,) = struct.unpack(">I", blob[data + offset:data + offset + 4])
        payload = blob[data + offset + 4:data + offset + 4 + size]
        if flags & COMPRESSED_ZSTD:
            raise ValueError(f"{path}: {prefix}{name} is zstd-compressed, which this reader does not handle")
        if flags & COMPRESSED:
            payload = zlib.decompress(payload[4:])
        files[prefix + name] = payload

    walk(0, "")
    return files
