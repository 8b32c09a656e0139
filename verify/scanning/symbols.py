"""A symbol read from a picture (`Symbol`), and the order in which `verify.scan` reports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["QR_FAMILY", "QR_MODEL_2", "Symbol", "drop_shadowed", "reading_order"]

QR_MODEL_2: Final = "QRCode"
"""The symbology of this service's codes (QR Code Model 2, ISO/IEC 18004), as zxing-cpp names it."""

QR_FAMILY: Final = (QR_MODEL_2, "QRCodeModel1", "MicroQRCode", "RMQRCode")
"""The QR family: Model 2, the obsolete Model 1, Micro QR and rMQR (ISO/IEC 18004, ISO/IEC 23941)."""


@dataclass(frozen=True)
class Symbol:
    """One symbol read from a picture. Decoded only: nothing here says the text is authentic.

    Attributes:
        text: the decoded text (ECI and character set applied, no human-readable formatting).
        symbology: zxing-cpp's format name: "QRCode" (QR Code Model 2, the kind this service prints),
            "QRCodeModel1", "MicroQRCode", "RMQRCode", "DataMatrix", "Aztec", "PDF417", "EAN13", "Code128", ...
        x: centre, in pixels of the picture, from the left.
        y: centre, in pixels of the picture, from the top.
        height: height of the symbol's outline, in pixels.
    """

    text: str
    symbology: str
    x: float
    y: float
    height: float

    @property
    def is_service_kind(self) -> bool:
        """Whether this is a QR Code Model 2, the only kind of symbol this service prints (docs/FORMAT.md §5).

        A symbol of any other kind is "not a code of this service" whatever its text says.
        """
        return self.symbology == QR_MODEL_2

    @classmethod
    def from_outline(cls, text: str, symbology: str, outline: NDArray[np.float64]) -> Symbol:
        """A symbol from its outline: (x, y) rows of its corners, in pixels of the picture."""
        xs, ys = outline[:, 0], outline[:, 1]
        return cls(text, symbology, float(xs.mean()), float(ys.mean()), float(ys.max() - ys.min()))

    def covers(self, other: Symbol) -> bool:
        """Whether `other`'s centre lies within this symbol's extent (its height around its centre)."""
        half = self.height / 2
        return abs(other.x - self.x) <= half and abs(other.y - self.y) <= half


def drop_shadowed(symbols: list[Symbol]) -> list[Symbol]:
    """Drops other QR-family symbols centred inside a QR Code Model 2 read from the same picture.

    zxing-cpp once read a finder pattern of a real code as a Micro QR symbol "9064" (a 2x upscaled synthetic
    screenshot); such a read is never a second code.
    """
    model2 = [s for s in symbols if s.is_service_kind]
    return [s for s in symbols
            if s.is_service_kind or s.symbology not in QR_FAMILY or not any(m.covers(s) for m in model2)]


def reading_order(symbols: list[Symbol]) -> list[Symbol]:
    """Symbols in reading order, exact duplicates (same symbology and text) removed, the first kept.

    Symbols form one row while their centres lie within half a symbol's height of the row's first (topmost)
    symbol; rows go top to bottom, symbols in a row left to right.
    """
    rows: list[list[Symbol]] = []
    for symbol in sorted(symbols, key=lambda s: (s.y, s.x, s.text)):
        if rows and symbol.y - rows[-1][0].y < rows[-1][0].height / 2:
            rows[-1].append(symbol)
        else:
            rows.append([symbol])
    ordered: list[Symbol] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        for symbol in sorted(row, key=lambda s: (s.x, s.text)):
            if (symbol.symbology, symbol.text) not in seen:
                seen.add((symbol.symbology, symbol.text))
                ordered.append(symbol)
    return ordered
