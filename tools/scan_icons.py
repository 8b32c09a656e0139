"""Draw the scan page's web app icons (web/ui/static/scan-icon-{192,512}.png, the manifest's `icons`).

    .venv/bin/python tools/scan_icons.py            # write them
    .venv/bin/python tools/scan_icons.py --check    # exit 1 if a committed icon differs from the drawing

A white check mark in the three finder squares of a QR code, on the page's "valid" green (#17663a, web/ui/static/
site.css); drawn at four times the size and reduced, so the edges are smooth. Pillow writes no time stamp, so the
same Pillow gives the same bytes. The 512 px icon is also the "maskable" one: everything lies inside the central 80 %
(the safe zone of the Web App Manifest's maskable icons, W3C "Manifest" 2025, §purpose).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "web" / "ui" / "static"
GREEN = (0x17, 0x66, 0x3A)
WHITE = (255, 255, 255)
SIZES = (192, 512)


def draw(size: int) -> bytes:
    """The icon of `size` x `size` px as PNG bytes."""
    big = size * 4
    image = Image.new("RGB", (big, big), GREEN)
    pen = ImageDraw.Draw(image)
    unit = big / 20  # the drawing lives in the central 16 x 16 units (80 %)
    for x, y in ((3, 3), (12, 3), (3, 12)):  # the finder squares, 5 x 5 units each
        pen.rectangle((x * unit, y * unit, (x + 5) * unit, (y + 5) * unit), outline=WHITE, width=round(unit * 0.8))
        pen.rectangle(((x + 1.7) * unit, (y + 1.7) * unit, (x + 3.3) * unit, (y + 3.3) * unit), fill=WHITE)
    pen.line(((11.2 * unit, 14.6 * unit), (13.2 * unit, 16.6 * unit), (17 * unit, 11.6 * unit)), fill=WHITE,
             width=round(unit * 1.1), joint="curve")
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str]) -> int:
    """Write the icons, or with `--check` name each one that differs; 0 when all match."""
    stale = []
    for size in SIZES:
        path = STATIC / f"scan-icon-{size}.png"
        body = draw(size)
        if "--check" in argv:
            if not path.exists() or path.read_bytes() != body:
                stale.append(path.name)
        else:
            path.write_bytes(body)
    if stale:
        print(f"out of date: {', '.join(stale)} (run tools/scan_icons.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
