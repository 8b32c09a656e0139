"""Issue: record -> COSE_Sign1 -> QR text -> QR images (DESIGN.md, One picture).

`sign_record` is what the registry's service calls; it signs and checks the size budget
and writes nothing. `render_record` turns a signed record into the images printed on the
blank: SVG, PNG (>= 600 dpi, pHYs) and PDF, exactly 30 x 30 mm with the quiet zone
(seed 000, Rules item 19: "QR код ... (өлшемі 3x3 см.)").

Example:
    >>> signed = sign_record(record, signer=signer, base_url="https://v.edu.kz", at=now)  # doctest: +SKIP
    >>> images = render_record(signed)                                                   # doctest: +SKIP
    >>> images.png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"                                        # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from . import codec, qr, qrpdf
from .errors import OverBudgetError
from .keys import Signer
from .record import Record

#: ISO/IEC 18004 version cap at ECC M that keeps a module >= 0.41 mm at 30 mm (docs/FORMAT.md §5).
MAX_QR_VERSION = 12
QR_SIZE_MM = 30.0


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
    prefix = codec.qr_prefix(base_url)
    digits = codec.bytes_to_digits(cose)
    version = qr.qr_version_for(len(prefix), len(digits))
    if version > max_version:
        raise OverBudgetError(
            f"the signed record is {len(cose)} bytes and needs QR version {version} at ECC M; the budget is "
            f"version {max_version} (a module of at least 0.41 mm at 30 mm): shorten the name or the host"
        )
    return SignedRecord(record=record, signed_at=signed_at, kid=signer.kid, alg=signer.alg, payload=payload,
                        cose=cose, qr_text=prefix + digits, qr_version=version)


def render_record(signed: SignedRecord, *, caption: str | None = None) -> QrImages:
    """The SVG, PNG (>= 600 dpi with pHYs) and PDF of a signed record's QR code, 30 mm square.

    Raises:
        OverBudgetError: the encoder chose a version above the budget (should not happen
            after `sign_record`; checked again because the encoder is a separate library).
    """
    symbol = qr.encode_qr(signed.qr_text, max_version=MAX_QR_VERSION)
    title = f"{signed.record.series} {signed.record.number}"
    return QrImages(
        svg=qr.render_svg(symbol, size_mm=QR_SIZE_MM, title=title),
        png=qr.render_png(symbol, size_mm=QR_SIZE_MM),
        pdf=qrpdf.render_pdf(symbol, size_mm=QR_SIZE_MM, caption=caption or title),
    )
