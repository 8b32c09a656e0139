"""Issue: record -> COSE_Sign1 -> QR text -> QR images (DESIGN.md, One picture).

`sign_record` is what the registry's service calls; it signs and checks the size budget
and writes nothing. `render_record` turns a signed record into the images printed on the
blank: SVG, PNG (>= 600 dpi, pHYs) and PDF, exactly 30 x 30 mm with the quiet zone
(seed 000, Rules item 19: "QR код ... (өлшемі 3x3 см.)").

A stored code (a registry revision's QR text and record) is drawn by the same owner: `render_code` for one image
(the officers' API and console), `render_sheet` for A4 print sheets with `code_caption` under each code (the
officers' API and console, the demo), `code_file_stem` for its file name (the command line, the API).

Example:
    >>> signed = sign_record(record, signer=signer, base_url="https://v.edu.kz", at=now)  # doctest: +SKIP
    >>> images = render_record(signed)                                                   # doctest: +SKIP
    >>> images.png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"                                        # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from . import codec, qr, qrpdf, qrtext, texts
from .errors import OverBudgetError
from .keys import Signer
from .record import Record

#: ISO/IEC 18004 version cap at ECC M that keeps a module >= 0.41 mm at 30 mm (docs/FORMAT.md §5).
MAX_QR_VERSION = 12
QR_SIZE_MM = 30.0
CODE_KINDS = ("svg", "png", "pdf")
"""The image kinds of a printed code (`render_code`)."""


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """A signed record and its QR text.

    Attributes:
        record: the `Record` signed.
        signed_at: signing time (aware UTC, whole seconds).
        kid: 8-byte key id of the document signer.
        alg: COSE algorithm id.
        payload: the CBOR payload bytes.
        cose: the tagged COSE_Sign1 bytes.
        qr_text: `HTTPS://HOST/V/` + decimal digits (docs/FORMAT.md §5).
        qr_version: the QR version at ECC M the text needs.
    """

    record: Record
    signed_at: dt.datetime
    kid: bytes
    alg: int
    payload: bytes
    cose: bytes
    qr_text: str
    qr_version: int

    @property
    def payload_sha256(self) -> bytes:
        """SHA-256 of the payload bytes (what `StatusLookup.lookup` matches on)."""
        return hashlib.sha256(self.payload).digest()


@dataclass(frozen=True, slots=True)
class QrImages:
    """The images of one QR code, each exactly `QR_SIZE_MM` square with the quiet zone."""

    svg: bytes
    png: bytes
    pdf: bytes


def sign_record(record: Record, *, signer: Signer, base_url: str, at: dt.datetime,
                max_version: int = MAX_QR_VERSION) -> SignedRecord:
    """Sign a record as COSE_Sign1 and build its QR text, refusing one over the size budget.

    Args:
        record: a valid `Record`.
        signer: any `Signer` (file key, HSM).
        base_url: the verification host, e.g. "https://v.edu.kz" (settings: VERIFY_BASE_URL).
        at: the signing time (aware); whole seconds are signed.
        max_version: the highest QR version allowed at ECC M (docs/FORMAT.md §5).

    Returns:
        `SignedRecord`.

    Raises:
        RecordError: `at` naive or before the award date, or a bad base URL.
        OverBudgetError: the QR text would need a version above `max_version`.
    """
    signed_at = at.astimezone(dt.UTC).replace(microsecond=0)
    payload = codec.encode_payload(record, signed_at)
    protected = codec.encode_protected(signer.alg, signer.kid)
    signature = signer.sign(codec.sig_structure(protected, payload))
    cose = codec.encode_sign1(protected, payload, signature)
    prefix = qrtext.qr_prefix(base_url)
    digits = qrtext.bytes_to_digits(cose)
    version = qr.qr_version_for(len(prefix), len(digits))
    if version > max_version:
        raise OverBudgetError(texts.text("v_over_budget", size=len(cose), version=version, limit=max_version))
    return SignedRecord(record=record, signed_at=signed_at, kid=signer.kid, alg=signer.alg, payload=payload,
                        cose=cose, qr_text=prefix + digits, qr_version=version)


def render_record(signed: SignedRecord, *, caption: str | None = None) -> QrImages:
    """The SVG, PNG (>= 600 dpi with pHYs) and PDF of a signed record's QR code, 30 mm square.

    Args:
        signed: the signed record.
        caption: the PDF's caption (default: `code_title`).

    Raises:
        OverBudgetError: the encoder chose a version above the budget (should not happen
            after `sign_record`; checked again because the encoder is a separate library).
    """
    symbol = qr.encode_qr(signed.qr_text, max_version=MAX_QR_VERSION)
    title = code_title(signed.record)
    return QrImages(
        svg=qr.render_svg(symbol, size_mm=QR_SIZE_MM, title=title),
        png=qr.render_png(symbol, size_mm=QR_SIZE_MM),
        pdf=qrpdf.render_pdf(symbol, size_mm=QR_SIZE_MM, caption=caption or title),
    )


def code_title(record: Record) -> str:
    """A code's title: its series and number as printed ("BD 0000042"); the SVG's <title>, the PDF's caption."""
    return f"{record.series} {record.number}"


DUPLICATE_MARKS: Final = {"kk": "№{n} телнұсқа", "ru": "дубликат №{n}", "en": "duplicate No. {n}"}
"""The caption's mark of duplicate No. N, short for a 38 mm cell (the stamp's words: `verify.record.stamp_text`)."""


def code_caption(record: Record, language: str = "kk") -> str:
    """A code's caption on a print sheet: series, number, a duplicate's mark, surname and the name's initial.

    Examples: "BD 0000042 — Әбдірахманова Г.", "ТКБ 0100006 · №1 телнұсқа — Мұхамеджанов Е." (the patronymic is not
    shown: a caption is a cut mark, not the record; the record is on the insert). A duplicate is marked so that it
    is not glued into the original's place (seed 000, item 25).

    Args:
        record: the signed record.
        language: "kk", "ru" or "en", of the duplicate's mark.

    Raises:
        KeyError: another language.
    """
    initial = f" {record.holder.name[:1]}." if record.holder.name else ""
    mark = DUPLICATE_MARKS[language]
    duplicate = f" · {mark.format(n=record.duplicate.duplicate_no)}" if record.duplicate is not None else ""
    return f"{code_title(record)}{duplicate} — {record.holder.surname}{initial}"


def code_file_stem(record: Record) -> str:
    """The file name of a code without extension: `<series>-<number>`, and `-r<revision>` after the first."""
    return f"{record.series}-{record.number}" + (f"-r{record.revision}" if record.revision > 1 else "")


def render_code(qr_text: str, kind: str, *, record: Record) -> bytes:
    """One image of a stored or signed code, exactly `QR_SIZE_MM` square with its quiet zone.

    The one way a code is drawn for printing (the officers' API and console, the command line, the demo):
    "svg" titled with `code_title`, "png" of at least 600 dpi with its physical size (pHYs), "pdf" one page 30 mm
    wide captioned with `code_title`.

    Args:
        qr_text: the code's text (`HTTPS://HOST/V/...`).
        kind: "svg", "png" or "pdf".
        record: the signed record it carries (for the title and caption).

    Raises:
        ValueError: another kind.
        OverBudgetError: the text needs a QR version above the budget (never for a text `sign_record` made).
    """
    if kind not in CODE_KINDS:
        raise ValueError(f"kind: one of {', '.join(CODE_KINDS)}")
    symbol = qr.encode_qr(qr_text, max_version=MAX_QR_VERSION)
    if kind == "svg":
        return qr.render_svg(symbol, size_mm=QR_SIZE_MM, title=code_title(record))
    if kind == "png":
        return qr.render_png(symbol, size_mm=QR_SIZE_MM)
    return qrpdf.render_pdf(symbol, size_mm=QR_SIZE_MM, caption=code_title(record))


def render_sheet(codes: Iterable[tuple[str, Record]], *, image_codes: bool = False,
                 font_path: str | Path | None = None, language: str = "kk", heading: str = "",
                 print_note: str = qrpdf.PRINT_NOTE) -> bytes:
    """A4 print sheets of codes (QR text, record), in the order given, each 30 mm with its `code_caption`.

    Args:
        codes: (QR text, signed record) of each code.
        image_codes: draw each code as a 1-bit image (`qrpdf.render_sheet_pdf`: ~5 times faster for thousands).
        font_path: the caption font (default: `qrpdf.find_caption_font`).
        language: of the captions' duplicate marks ("kk", "ru", "en").
        heading: every page's first line (whose codes these are), in the reader's language; "" for none.
        print_note: the "print at 100 %" instruction in the reader's language.

    Raises:
        ValueError: no codes.
        OverBudgetError: a text needs a QR version above the budget.
    """
    items = [(qr.encode_qr(text, max_version=MAX_QR_VERSION), code_caption(record, language))
             for text, record in codes]
    return qrpdf.render_sheet_pdf(items, size_mm=QR_SIZE_MM, image_codes=image_codes, font_path=font_path,
                                  heading=heading, print_note=print_note)
