"""Writes a small JPEG photo stand-in (a sky, a ground, a sun and a box), for tests whose workflows
name a picture on the web that cannot be fetched here.

    python make-example-image.py OUT_FILE [WIDTH HEIGHT]
"""

import sys

from PIL import Image, ImageDraw


def main(out_file: str, width: int, height: int) -> None:
    image = Image.new("RGB", (width, height), (110, 170, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(70, 140, 60))
    draw.ellipse([width * 3 // 4, height // 10, width * 3 // 4 + height // 5, height // 10 + height // 5], fill=(250, 220, 80))
    draw.rectangle([width // 4, height // 2, width // 2, height * 5 // 6], fill=(150, 90, 50))
    image.save(out_file, "JPEG", quality=90)
    print(f"{width}x{height} JPEG in {out_file}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: make-example-image.py OUT_FILE [WIDTH HEIGHT]")
    main(sys.argv[1], *(map(int, sys.argv[2:4]) if len(sys.argv) == 4 else (160, 120)))
