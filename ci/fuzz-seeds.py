#!/usr/bin/env python3
"""Writes the GGUF fuzz target's seed corpus from the real default model's header:
the header with every array cut to its first 8 items (so it fits libFuzzer's
input size), its first 4 KiB, and a minimal file. Usage: fuzz-seeds.py MODEL DIR"""

import struct
import sys
from pathlib import Path

SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def read_value(b, i, ty):
    """Returns (encoded bytes with arrays cut to 8 items, next offset)."""
    if ty in SIZES:
        return b[i:i + SIZES[ty]], i + SIZES[ty]
    if ty == 8:
        n = struct.unpack_from("<Q", b, i)[0]
        return b[i:i + 8 + n], i + 8 + n
    if ty == 9:
        item, n = struct.unpack_from("<IQ", b, i)
        i += 12
        kept = []
        for k in range(n):
            enc, i = read_value(b, i, item)
            if k < 8:
                kept.append(enc)
        return struct.pack("<IQ", item, len(kept)) + b"".join(kept), i
    raise ValueError(f"type {ty}")


def main():
    model, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    b = model.open("rb").read(16 << 20)
    tensors, entries = struct.unpack_from("<QQ", b, 8)
    i, cut = 24, [b[:24]]
    for _ in range(entries):
        n = struct.unpack_from("<Q", b, i)[0]
        key = b[i:i + 8 + n]
        ty = struct.unpack_from("<I", b, i + 8 + n)[0]
        enc, i = read_value(b, i + 12 + n, ty)
        cut.append(key + struct.pack("<I", ty) + enc)
    cut.append(b[i:i + 40 * tensors])  # the tensor descriptions (about 40 bytes each)
    (out / "header-arrays-cut").write_bytes(b"".join(cut))
    (out / "first-4k").write_bytes(b[:4096])
    arch = b"general.architecture"
    minimal = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(arch)) + arch
    minimal += struct.pack("<IQ", 8, 5) + b"llama"
    (out / "minimal").write_bytes(minimal)


if __name__ == "__main__":
    main()
