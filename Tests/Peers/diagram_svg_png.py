"""Renders SVG files to PNG with cairosvg, proving they draw outside a browser.

Usage: diagram_svg_png.py IN.svg=OUT.png [IN.svg=OUT.png ...]
Prints one JSON line per file with the PNG's size; exits 1 on the first failure.
"""
import json
import struct
import sys

import cairosvg


def main(pairs):
    for pair in pairs:
        source, output = pair.split("=", 1)
        cairosvg.svg2png(url=source, write_to=output, unsafe=False)
        with open(output, "rb") as handle:
            header = handle.read(24)
        width, height = struct.unpack(">II", header[16:24])
        print(json.dumps({"file": source, "png": output, "width": width, "height": height}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
