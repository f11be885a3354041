#!/usr/bin/env python3
"""What a PNG screenshot shows, by colour: decode it (zlib and the PNG filters, no imaging
library) and count the pixels of each colour asked for.

  png-colors.py FILE [#rrggbb ...]

prints "WIDTH HEIGHT COLOURS" (the number of distinct colours), then "#rrggbb COUNT" per colour.
"""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png-colors: %s is not a PNG" % path)
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("png-colors: only 8-bit RGB/RGBA, not interlaced (got depth %d, type %d)" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    width, height, bpp, rows = decode(sys.argv[1])
    counts = {}
    for line in rows:
        for i in range(0, len(line), bpp):
            rgb = bytes(line[i:i + 3])
            counts[rgb] = counts.get(rgb, 0) + 1
    print(width, height, len(counts))
    for colour in sys.argv[2:]:
        print(colour, counts.get(bytes.fromhex(colour.lstrip("#")), 0))


if __name__ == "__main__":
    main()
