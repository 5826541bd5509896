#!/usr/bin/env python3
"""Writes a copy of a GGUF model with its chat template replaced.

    python3 ci/template-model.py IN.gguf OUT.gguf TEMPLATE

The guard tests of every binding use it to make models whose chat template is
hostile (one that loops for ever, one that renders gigabytes): the header is
rewritten with the new `tokenizer.chat_template` string (added if the
model has none), padded back to the
file's alignment, and the tensor data is copied unchanged.
"""

import shutil
import struct
import sys

KEY = "tokenizer.chat_template"
# Byte sizes of the GGUF scalar value types; 8 is string, 9 is array.
SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def rewrite(src: str, dst: str, template: str) -> None:
    with open(src, "rb") as f:
        data = f.read(64 << 20)  # the header of a model this size is far smaller
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def string() -> bytes:
        nonlocal pos
        n = take("Q")
        pos += n
        return data[pos - n : pos]

    def skip(value_type: int) -> None:
        nonlocal pos
        if value_type == 8:
            string()
        elif value_type == 9:
            item, count = take("I"), take("Q")
            if item == 8:
                for _ in range(count):
                    string()
            else:
                pos += SCALAR[item] * count
        else:
            pos += SCALAR[value_type]

    magic, _version, n_tensors, n_kv = take("4s"), take("I"), take("Q"), take("Q")
    if magic != b"GGUF":
        raise SystemExit(f"{src} is not a GGUF file")
    span = None
    alignment = 32
    for _ in range(n_kv):
        key = string().decode()
        value_type = take("I")
        start = pos
        if key == "general.alignment" and value_type == 4:
            alignment = struct.unpack_from("<I", data, pos)[0]
        skip(value_type)
        if key == KEY:
            span = (start, pos)
    kv_end = pos
    for _ in range(n_tensors):
        string()
        dims = take("I")
        pos += 8 * dims + 4 + 8
    header_end = pos
    data_start = -(-header_end // alignment) * alignment

    encoded = template.encode()
    value = struct.pack("<Q", len(encoded)) + encoded
    if span is None:
        # No template in the file: add the key as one more metadata entry, after
        # the others (where the tensor descriptions begin).
        entry = struct.pack("<Q", len(KEY)) + KEY.encode() + struct.pack("<I", 8) + value
        header = bytearray(data[:kv_end] + entry + data[kv_end:header_end])
        struct.pack_into("<Q", header, 16, n_kv + 1)
    else:
        header = bytearray(data[: span[0] - 4] + struct.pack("<I", 8) + value + data[span[1] : header_end])
    header += b"\0" * (-len(header) % alignment)
    with open(src, "rb") as f, open(dst, "wb") as out:
        out.write(header)
        f.seek(data_start)
        shutil.copyfileobj(f, out, 16 << 20)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    rewrite(sys.argv[1], sys.argv[2], sys.argv[3])
