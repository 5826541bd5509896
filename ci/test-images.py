#!/usr/bin/env python3
"""Writes the image files the vision tests of every binding use.

    python3 ci/test-images.py DIR

Made with the standard library only (zlib), so every language's suite reads
the same bytes:
  gradient.png      50×30 RGB gradient (a valid image)
  gradient.jpg      16×12 RGB gradient, baseline JPEG (a valid image; the bytes
                    below were written once by Java's ImageIO, as the standard
                    library has no JPEG encoder)
  large.png         640×480 RGB gradient (resized by the projector like any other)
  truncated.png     gradient.png cut in half
  not-an-image.jpg  a text file with an image's name
  zero.png          a PNG that says it is 0×0
  huge-header.png   a PNG header that claims 20000×20000 pixels and holds none
"""

import base64
import os
import struct
import sys
import zlib

GRADIENT_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a"
    "HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIy"
    "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAMABADASIA"
    "AhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQA"
    "AAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3"
    "ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWm"
    "p6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEA"
    "AwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSEx"
    "BhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElK"
    "U1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3"
    "uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDh7Dw3"
    "0+T9K6ew8N9Pk/SupsbGDj5K6axsYOPkpYvNZmPD+d1ND//Z"
)


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\0" + bytes(v for x in range(width) for v in (x * 255 // max(width, 1), y * 255 // max(height, 1), 128))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def main(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    gradient = png(50, 30)
    files = {
        "gradient.png": gradient,
        "gradient.jpg": GRADIENT_JPEG,
        "large.png": png(640, 480),
        "truncated.png": gradient[: len(gradient) // 2],
        "not-an-image.jpg": b"this is a text file, not a picture\n",
        "zero.png": png(0, 0),
        "huge-header.png": _header_only(20000, 20000),
    }
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def _header_only(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + ihdr + struct.pack(">I", zlib.crc32(ihdr))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
