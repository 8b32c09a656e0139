"""Bytes of a signed appendix: deterministic CBOR payload in a COSE_Sign1 (docs/FORMAT.md §10).

An appendix is its own signed record, not a part of the diploma's QR code: a digest of it in the diploma payload
would cost the typical diploma its QR version 10 (docs/FORMAT.md §10.1 has the measurements), and would force a
new diploma revision, and a reprinted QR code, for every correction of the appendix alone. The appendix names its
diploma instead (series, number, revision and the SHA-256 of the diploma's signed payload) and is signed by a
document signer under the record's rules (steps 4-10 of §7, `verify.appendixcheck`).

    encode_appendix_payload(appendix, signed_at) -> bytes          §10.3
    decode_appendix_payload(data) -> (Appendix, datetime)          §10.3, raises AppendixFormatError
    sign_appendix(appendix, signer=, at=) -> SignedAppendix        §10.2
    parse_appendix_cose(data) -> CoseSign1                         §10.2, raises AppendixFormatError
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import cbor2

from . import codec
from .appendix import LANGUAGES, Appendix, AppendixItem, DiplomaRef, ItemKind, StudiesEnded, Totals
from .errors import AppendixFormatError, CoseStructureError, RecordError
from .grades import Grade
from .keys import Signer

FORMAT = 1
#: COSE protected header 3 (content type, RFC 9052 §3.1): keeps an appendix apart from a record and a status list.
CONTENT_TYPE = "application/verify-appendix+cbor"
HDR_CONTENT_TYPE = 3
MAX_APPENDIX_PAYLOAD_BYTES = 64 * 1024
MAX_APPENDIX_COSE_BYTES = MAX_APPENDIX_PAYLOAD_BYTES + 256

K_FORMAT, K_DIPLOMA, K_DIPLOMA_SHA256, K_BIN, K_ITEMS, K_TOTALS, K_REVISION, K_DUPLICATE, K_SIGNED_AT = \
    1, 2, 3, 4, 5, 6, 7, 8, 9
K_STUDIES_ENDED = 10  # the анықтама's reason, order and period (seed 000, appendix 37)
REQUIRED = frozenset({K_FORMAT, K_DIPLOMA, K_DIPLOMA_SHA256, K_BIN, K_ITEMS, K_SIGNED_AT})
OPTIONAL = frozenset({K_TOTALS, K_REVISION, K_DUPLICATE, K_STUDIES_ENDED})
I_KIND, I_NAMES, I_GRADE, I_HOURS, I_CREDITS, I_CODE = 1, 2, 3, 4, 5, 6
G_LETTER, G_POINTS, G_PERCENT, G_FIVE, G_PASSED = 1, 2, 3, 4, 5
T_HOURS, T_CREDITS, T_GPA = 1, 2, 3
E_REASON, E_ORDER_NUMBER, E_ORDER_DATE, E_FROM, E_UNTIL = 1, 2, 3, 4, 5
_DATE_EPOCH = dt.date(1970, 1, 1)
LANGUAGE_KEYS = {"kk": 1, "ru": 2, "en": 3}
_LANGUAGE_OF = {v: k for k, v in LANGUAGE_KEYS.items()}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class SignedAppendix:
    """A signed appendix.

    Attributes:
        appendix: the `Appendix`.
        signed_at: signing time (aware UTC, whole seconds).
        kid, alg: the document signer's key id and COSE algorithm.
        payload: the CBOR payload; cose: the tagged COSE_Sign1 bytes (what is stored and served).
    """

    appendix: Appendix
    signed_at: dt.datetime
    kid: bytes
    alg: int
    payload: bytes
    cose: bytes

    @property
    def payload_sha256(self) -> bytes:
        """SHA-256 of the payload bytes (what the registry keeps to match a presented appendix)."""
        return hashlib.sha256(self.payload).digest()


def _tenths(value: Decimal) -> int:
    return int(value * 10)


def _hundredths(value: Decimal) -> int:
    return int(value * 100)


def _encode_grade(grade: Grade) -> dict[int, Any]:
    out: dict[int, Any] = {}
    if grade.letter is not None:
        out[G_LETTER] = grade.letter
    if grade.points is not None:
        out[G_POINTS] = _hundredths(grade.points)
    if grade.percent is not None:
        out[G_PERCENT] = grade.percent
    if grade.five_point is not None:
        out[G_FIVE] = grade.five_point
    if grade.passed is not None:
        out[G_PASSED] = grade.passed
    return out


def _encode_item(item: AppendixItem) -> dict[int, Any]:
    out: dict[int, Any] = {I_KIND: int(item.kind), I_NAMES: {LANGUAGE_KEYS[k]: v for k, v in item.names.items()},
                           I_GRADE: _encode_grade(item.grade)}
    if item.hours is not None:
        out[I_HOURS] = item.hours
    if item.credits is not None:
        out[I_CREDITS] = _tenths(item.credits)
    if item.code is not None:
        out[I_CODE] = item.code
    return out


def encode_appendix_payload(appendix: Appendix, signed_at: dt.datetime) -> bytes:
    """The deterministic CBOR payload of a signed appendix (docs/FORMAT.md §10.3).

    Args:
        appendix: a valid `Appendix`.
        signed_at: timezone-aware signing time; whole seconds are kept.

    Returns:
        CBOR bytes in the core deterministic encoding (RFC 8949 §4.2.1).

    Raises:
        RecordError: `signed_at` naive or out of range, or the payload over 64 KiB.
    """
    if signed_at.tzinfo is None:
        raise RecordError("signed_at: must be timezone-aware")
    seconds = int(signed_at.timestamp())
    if not 0 <= seconds < 2**34:
        raise RecordError("signed_at: out of range")
    d = appendix.diploma
    payload: dict[int, Any] = {
        K_FORMAT: FORMAT, K_DIPLOMA: [d.series, d.number, d.revision], K_DIPLOMA_SHA256: d.payload_sha256,
        K_BIN: int(appendix.institution_bin), K_ITEMS: [_encode_item(i) for i in appendix.items],
        K_SIGNED_AT: seconds,
    }
    if appendix.totals is not None:
        totals: dict[int, int] = {}
        if appendix.totals.hours is not None:
            totals[T_HOURS] = appendix.totals.hours
        if appendix.totals.credits is not None:
            totals[T_CREDITS] = _tenths(appendix.totals.credits)
        if appendix.totals.gpa is not None:
            totals[T_GPA] = _hundredths(appendix.totals.gpa)
        payload[K_TOTALS] = totals
    if appendix.revision != 1:
        payload[K_REVISION] = appendix.revision
    if appendix.duplicate_no is not None:
        payload[K_DUPLICATE] = appendix.duplicate_no
    if (ended := appendix.studies_ended) is not None:
        days = {E_ORDER_DATE: ended.order_date, E_FROM: ended.studied_from, E_UNTIL: ended.studied_until}
        payload[K_STUDIES_ENDED] = {E_REASON: ended.reason, E_ORDER_NUMBER: ended.order_number,
                                    **{k: (d - _DATE_EPOCH).days for k, d in days.items() if d is not None}}
    data = cbor2.dumps(payload, canonical=True)
    if len(data) > MAX_APPENDIX_PAYLOAD_BYTES:
        raise RecordError(f"appendix: the payload is {len(data)} bytes, over the cap of {MAX_APPENDIX_PAYLOAD_BYTES}")
    return data


def _map(value: Any, label: str, keys: frozenset[int], required: frozenset[int] = frozenset()) -> dict[int, Any]:
    if not isinstance(value, dict) or not all(type(k) is int for k in value):
        raise AppendixFormatError(f"appendix payload: {label} must be a map with integer keys")
    if unknown := set(value) - keys:
        raise AppendixFormatError(f"appendix payload: unknown key(s) {sorted(unknown)} in {label}")
    if missing := required - set(value):
        raise AppendixFormatError(f"appendix payload: missing key(s) {sorted(missing)} in {label}")
    return value


def _uint(value: Any, label: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise AppendixFormatError(f"appendix payload: {label} must be an integer {low}..{high}")
    return value


def _decode_grade(value: Any, label: str) -> Grade:
    g = _map(value, label, frozenset({G_LETTER, G_POINTS, G_PERCENT, G_FIVE, G_PASSED}))
    if G_LETTER in g and type(g[G_LETTER]) is not str:
        raise AppendixFormatError(f"appendix payload: {label} letter must be text")
    if G_PASSED in g and type(g[G_PASSED]) is not bool:
        raise AppendixFormatError(f"appendix payload: {label} passed must be a boolean")
    return Grade(letter=g.get(G_LETTER),
                 points=None if G_POINTS not in g else Decimal(_uint(g[G_POINTS], "points", 0, 400)) / 100,
                 percent=None if G_PERCENT not in g else _uint(g[G_PERCENT], "percent", 0, 100),
                 five_point=None if G_FIVE not in g else _uint(g[G_FIVE], "five-point grade", 2, 5),
                 passed=g.get(G_PASSED))


def _decode_item(value: Any, index: int) -> AppendixItem:
    label = f"item {index}"
    m = _map(value, label, frozenset({I_KIND, I_NAMES, I_GRADE, I_HOURS, I_CREDITS, I_CODE}),
             frozenset({I_KIND, I_NAMES, I_GRADE}))
    names = _map(m[I_NAMES], f"{label} names", frozenset(_LANGUAGE_OF))
    if not all(type(v) is str for v in names.values()):
        raise AppendixFormatError(f"appendix payload: {label} names must be text")
    kind = _uint(m[I_KIND], f"{label} kind", 1, max(ItemKind))
    if I_CODE in m and type(m[I_CODE]) is not str:
        raise AppendixFormatError(f"appendix payload: {label} code must be text")
    return AppendixItem(
        kind=ItemKind(kind), names={_LANGUAGE_OF[k]: v for k, v in names.items()},
        grade=_decode_grade(m[I_GRADE], f"{label} grade"),
        hours=None if I_HOURS not in m else _uint(m[I_HOURS], f"{label} hours", 1, 10_000),
        credits=None if I_CREDITS not in m else Decimal(_uint(m[I_CREDITS], f"{label} credits", 1, 3000)) / 10,
        code=m.get(I_CODE),
    )


def _decode_studies_ended(value: Any) -> StudiesEnded:
    e = _map(value, "studies ended", frozenset({E_REASON, E_ORDER_NUMBER, E_ORDER_DATE, E_FROM, E_UNTIL}),
             frozenset({E_REASON, E_ORDER_NUMBER, E_ORDER_DATE}))
    if type(e[E_REASON]) is not str or type(e[E_ORDER_NUMBER]) is not str:
        raise AppendixFormatError("appendix payload: studies ended reason and order number must be text")

    def day(key: int, label: str) -> dt.date | None:
        return None if key not in e else _DATE_EPOCH + dt.timedelta(days=_uint(e[key], label, 0, 100_000))

    order_date = day(E_ORDER_DATE, "studies ended order date")
    assert order_date is not None
    return StudiesEnded(reason=e[E_REASON], order_number=e[E_ORDER_NUMBER], order_date=order_date,
                        studied_from=day(E_FROM, "studied from"), studied_until=day(E_UNTIL, "studied until"))


def decode_appendix_payload(data: bytes) -> tuple[Appendix, dt.datetime]:
    """Decode and validate a signed appendix payload strictly. Only call it after the signature verified.

    Returns:
        (appendix, signed_at) with `signed_at` an aware UTC datetime.

    Raises:
        AppendixFormatError: not deterministic CBOR, a missing or unknown key, a wrong type, or a value the
            appendix rules refuse (the message says which, and which item).
    """
    m = codec.strict_loads(data, cap=MAX_APPENDIX_PAYLOAD_BYTES, error=AppendixFormatError, what="appendix payload")
    m = _map(m, "the payload", REQUIRED | OPTIONAL, REQUIRED)
    if m[K_FORMAT] != FORMAT or type(m[K_FORMAT]) is not int:
        raise AppendixFormatError(f"appendix payload: format {m[K_FORMAT]!r} is not supported")
    diploma = m[K_DIPLOMA]
    if type(diploma) is not list or len(diploma) != 3 or type(diploma[0]) is not str \
            or type(diploma[1]) is not str or type(diploma[2]) is not int:
        raise AppendixFormatError("appendix payload: diploma must be [series, number, revision]")
    if type(m[K_DIPLOMA_SHA256]) is not bytes or len(m[K_DIPLOMA_SHA256]) != 32:
        raise AppendixFormatError("appendix payload: the diploma payload digest must be 32 bytes")
    bin_value = _uint(m[K_BIN], "institution", 0, 999_999_999_999)
    if type(m[K_ITEMS]) is not list:
        raise AppendixFormatError("appendix payload: items must be an array")
    if K_REVISION in m and (type(m[K_REVISION]) is not int or m[K_REVISION] < 2):
        raise AppendixFormatError("appendix payload: revision, when present, must be an integer >= 2")
    seconds = _uint(m[K_SIGNED_AT], "signing time", 0, 2**34 - 1)
    try:
        totals = None
        if K_TOTALS in m:
            t = _map(m[K_TOTALS], "totals", frozenset({T_HOURS, T_CREDITS, T_GPA}))
            if not t:
                raise AppendixFormatError("appendix payload: totals, when present, must not be empty")
            totals = Totals(hours=None if T_HOURS not in t else _uint(t[T_HOURS], "total hours", 1, 2_000_000),
                            credits=None if T_CREDITS not in t else
                            Decimal(_uint(t[T_CREDITS], "total credits", 1, 600_000)) / 10,
                            gpa=None if T_GPA not in t else Decimal(_uint(t[T_GPA], "gpa", 0, 400)) / 100)
        items = tuple(_decode_item(v, i) for i, v in enumerate(m[K_ITEMS], start=1))
        ended = None if K_STUDIES_ENDED not in m else _decode_studies_ended(m[K_STUDIES_ENDED])
        appendix = Appendix(
            diploma=DiplomaRef(diploma[0], diploma[1], diploma[2], m[K_DIPLOMA_SHA256]),
            institution_bin=f"{bin_value:012d}", items=items, totals=totals,
            revision=m.get(K_REVISION, 1), duplicate_no=None if K_DUPLICATE not in m else
            _uint(m[K_DUPLICATE], "duplicate number", 1, 99), studies_ended=ended,
        )
    except RecordError as exc:
        raise AppendixFormatError(f"appendix payload: {exc.message}") from None
    signed_at = _EPOCH + dt.timedelta(seconds=seconds)
    if encode_appendix_payload(appendix, signed_at) != bytes(data):
        raise AppendixFormatError("appendix payload: not in its canonical encoding (docs/FORMAT.md §10.3)")
    return appendix, signed_at


def protected_header(alg: int, kid: bytes) -> bytes:
    """`{1: alg, 3: CONTENT_TYPE, 4: kid}` in deterministic CBOR: the protected header of an appendix."""
    return cbor2.dumps({codec.HDR_ALG: alg, HDR_CONTENT_TYPE: CONTENT_TYPE, codec.HDR_KID: kid}, canonical=True)


def sign_appendix(appendix: Appendix, *, signer: Signer, at: dt.datetime) -> SignedAppendix:
    """Sign an appendix as a COSE_Sign1 with a document signer (docs/FORMAT.md §10.2).

    Args:
        appendix: a valid `Appendix` naming its diploma (`DiplomaRef.of(signed_record)`).
        signer: the document signer (any `Signer`: a file key or an HSM) whose scope holds the diploma's series.
        at: the signing time (aware); whole seconds are signed.

    Raises:
        RecordError: `at` naive or out of range, or the payload over 64 KiB.
    """
    signed_at = at.astimezone(dt.UTC).replace(microsecond=0)
    payload = encode_appendix_payload(appendix, signed_at)
    protected = protected_header(signer.alg, signer.kid)
    cose = codec.encode_sign1(protected, payload, signer.sign(codec.sig_structure(protected, payload)))
    return SignedAppendix(appendix=appendix, signed_at=signed_at, kid=signer.kid, alg=signer.alg,
                          payload=payload, cose=cose)


def parse_appendix_cose(data: bytes) -> codec.CoseSign1:
    """Parse the COSE_Sign1 of an appendix (docs/FORMAT.md §10.2) without verifying anything (appendix step 1).

    Raises:
        AppendixFormatError: not deterministic CBOR, over the cap, not tag 18 with four elements, a protected
            header other than exactly `{1: -8 or -7, 3: "application/verify-appendix+cbor", 4: 8-byte kid}`, a
            non-empty unprotected header, a signature other than 64 bytes.
    """
    obj = codec.strict_loads(data, cap=MAX_APPENDIX_COSE_BYTES, error=AppendixFormatError, what="appendix COSE")
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != codec.COSE_SIGN1_TAG \
            or not isinstance(obj.value, (list, tuple)) or len(obj.value) != 4:
        raise AppendixFormatError("appendix: must be a tagged COSE_Sign1 of four elements")
    protected, unprotected, payload, signature = obj.value
    if type(protected) is not bytes or type(payload) is not bytes or type(signature) is not bytes \
            or not isinstance(unprotected, Mapping) or len(unprotected) != 0 \
            or len(signature) != codec.SIGNATURE_BYTES:
        raise AppendixFormatError("appendix: byte-string header, payload and a 64-byte signature; an empty "
                                  "unprotected header")
    try:
        header = codec.strict_loads(protected, cap=128, error=CoseStructureError, what="protected header")
    except CoseStructureError as exc:
        raise AppendixFormatError(f"appendix: {exc.message}") from None
    if not isinstance(header, dict) or set(header) != {codec.HDR_ALG, HDR_CONTENT_TYPE, codec.HDR_KID} \
            or header[HDR_CONTENT_TYPE] != CONTENT_TYPE or type(header[codec.HDR_ALG]) is not int \
            or header[codec.HDR_ALG] not in codec.SUPPORTED_ALGS or type(header[codec.HDR_KID]) is not bytes \
            or len(header[codec.HDR_KID]) != codec.KID_BYTES:
        raise AppendixFormatError(f"appendix: the protected header must be {{1: -8 or -7, 3: {CONTENT_TYPE!r}, "
                                  "4: 8-byte kid}")
    return codec.CoseSign1(protected=protected, alg=header[codec.HDR_ALG], kid=header[codec.HDR_KID],
                           payload=payload, signature=signature)


__all__ = ["CONTENT_TYPE", "LANGUAGES", "SignedAppendix", "decode_appendix_payload", "encode_appendix_payload",
           "parse_appendix_cose", "protected_header", "sign_appendix"]
