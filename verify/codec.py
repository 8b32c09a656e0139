"""Bytes of record format version 1: CBOR payload, COSE_Sign1, QR text (docs/FORMAT.md §3-§5).

Everything here is pure and strict. Decoders never trust their input: every length is
capped before parsing, CBOR must be in the deterministic encoding of RFC 8949 §4.2.1 (checked
by re-encoding and comparing bytes, which also rejects duplicate map keys, indefinite
lengths, non-shortest integers and trailing bytes), and every foreign exception is turned
into the `verify.errors` class of the step that failed.

Functions:
    encode_payload(record, signed_at) -> bytes        §3
    decode_payload(data) -> (Record, datetime)        §3, raises PayloadError (step 7)
    sig_structure(protected, payload) -> bytes        RFC 9052 §4.4
    encode_sign1(...) / parse_sign1(data)             §4, raises CoseStructureError (step 3)
    qr_prefix(base_url) / to_qr_text(cose, base_url)  §5
    split_qr_text(text) -> (prefix, digits)           step 1, raises PrefixError
    digits_to_bytes(digits) / bytes_to_digits(cose)   step 2, raises DigitsError
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import cbor2

from . import texts
from .doctypes import get_document_type, get_document_type_by_id
from .errors import CoseStructureError, DigitsError, PayloadError, PrefixError, RecordError
from .record import FORMAT_VERSION, DuplicateOf, HolderName, Record

# --- §3 payload keys -------------------------------------------------------------------------
K_VERSION, K_DOC_TYPE, K_SERIES, K_NUMBER, K_HOLDER, K_BIN, K_AWARD_DATE = 1, 2, 3, 4, 5, 6, 7
K_PROGRAMME, K_QUALIFICATION, K_HONOURS, K_DUPLICATE, K_REVISION, K_SIGNED_AT = 8, 9, 10, 11, 12, 13
REQUIRED_KEYS = frozenset({K_VERSION, K_DOC_TYPE, K_SERIES, K_NUMBER, K_HOLDER, K_BIN, K_AWARD_DATE,
                           K_PROGRAMME, K_SIGNED_AT})
OPTIONAL_KEYS = frozenset({K_QUALIFICATION, K_HONOURS, K_DUPLICATE, K_REVISION})
ALL_KEYS = REQUIRED_KEYS | OPTIONAL_KEYS

# --- §4 COSE ---------------------------------------------------------------------------------
COSE_SIGN1_TAG = 18  # RFC 9052 §4.2
HDR_ALG, HDR_KID = 1, 4  # RFC 9052 §3.1
ALG_EDDSA, ALG_ES256 = -8, -7  # RFC 9053 §2.2, §2.1
SUPPORTED_ALGS = frozenset({ALG_EDDSA, ALG_ES256})
KID_BYTES = 8
SIGNATURE_BYTES = 64  # Ed25519 (RFC 8032) and ES256 r || s (RFC 9053 §2.1) alike

# --- caps, applied before parsing (bytes / characters) ----------------------------------------
MAX_COSE_BYTES = 512
MAX_PAYLOAD_BYTES = 400
MAX_PREFIX_CHARS = 24  # "HTTP://127.0.0.1:8000/V/"; the longest record then fits version 12
MAX_DIGITS = 1300  # > 2.41 digits per byte x MAX_COSE_BYTES, far below int() limits

# Step 1 reads ASCII only: the text's head is ASCII-upper-cased (a-z -> A-Z, nothing else) and matched
# byte for byte, never with a Unicode-aware case-insensitive match (U+0131 dotless i, U+017F long s and
# U+212A Kelvin sign would otherwise read as I, S and K). The host grammar is checked by `_check_host`.
_PREFIX_RE = re.compile(r"(HTTPS?)://([A-Z0-9.-]+)(?::([1-9][0-9]{0,4}))?/V/", re.ASCII)
_LABEL_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?", re.ASCII)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: Development hosts (docs/FORMAT.md §5.2): the only hosts a `HTTP://` prefix may name.
DEVELOPMENT_SUFFIXES = (".LOCALHOST", ".TEST")  # RFC 6761 §6.3, §6.2
DEVELOPMENT_NETWORKS = tuple(ipaddress.IPv4Network(n) for n in (
    "127.0.0.0/8",  # loopback (RFC 1122 §3.2.1.3)
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private networks (RFC 1918 §3)
))
_EPOCH_DAY = dt.date(1970, 1, 1)


# ============================================================================ §3 payload
def encode_payload(record: Record, signed_at: dt.datetime) -> bytes:
    """Encode a record and its signing time as the deterministic CBOR payload map.

    Args:
        record: a valid `Record`.
        signed_at: timezone-aware signing time; whole seconds are kept (RFC 8392 NumericDate).

    Returns:
        The CBOR bytes (RFC 8949 §4.2.1 core deterministic encoding).

    Raises:
        RecordError: `signed_at` is naive or before the award date.
    """
    if signed_at.tzinfo is None:
        raise RecordError(texts.text("v_codec_naive_time", field="signed_at"))
    seconds = int(signed_at.timestamp())
    if seconds < 0 or signed_at.date() < record.award_date:
        raise RecordError(texts.text("v_codec_award_after_signing", field="award_date"))
    holder = [record.holder.surname, record.holder.name]
    if record.holder.patronymic is not None:
        holder.append(record.holder.patronymic)
    payload: dict[int, Any] = {
        K_VERSION: record.version,
        K_DOC_TYPE: _doc_type_id(record.doc_type),
        K_SERIES: record.series,
        K_NUMBER: record.number,
        K_HOLDER: holder,
        K_BIN: int(record.institution_bin),
        K_AWARD_DATE: (record.award_date - _EPOCH_DAY).days,
        K_PROGRAMME: record.programme,
        K_SIGNED_AT: seconds,
    }
    if record.revision != 1:
        payload[K_REVISION] = record.revision
    if record.qualification is not None:
        payload[K_QUALIFICATION] = record.qualification
    if record.honours:
        payload[K_HONOURS] = True
    if record.duplicate is not None:
        d = record.duplicate
        payload[K_DUPLICATE] = [d.duplicate_no, d.original_series, d.original_number]
    return cbor2.dumps(payload, canonical=True)


def strict_loads(data: bytes, *, cap: int, error: type[Exception], what: str) -> Any:
    """Decode CBOR that must be in deterministic encoding, with a size cap applied first.

    Re-encoding with cbor2's canonical mode and comparing bytes rejects duplicate keys,
    indefinite lengths, non-shortest heads, unsorted maps and trailing bytes (RFC 8949 §4.2.1;
    for the integer keys 0..23 used here, canonical and core-deterministic orders agree).
    Floats and tags other than those the caller checks cannot re-encode identically.

    Raises:
        error: with a `verify.texts.Text` naming `what` (an `Error` subclass: shown in the reader's language).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise error(texts.text("v_cbor_not_bytes", what=what))
    if len(data) > cap:
        raise error(texts.text("v_cbor_over_cap", what=what, size=len(data), cap=cap))
    try:
        value = cbor2.loads(bytes(data), allow_indefinite=False, allow_duplicate_keys=False, max_depth=4)
        again = cbor2.dumps(value, canonical=True)
    except Exception as exc:  # cbor2 raises several types; all mean "not our CBOR"
        raise error(texts.text("v_cbor_malformed", what=what, kind=type(exc).__name__)) from None
    if again != bytes(data):
        raise error(texts.text("v_cbor_not_deterministic", what=what))
    return value


def decode_payload(data: bytes) -> tuple[Record, dt.datetime]:
    """Decode and validate a signed payload. Only call it after the signature verified.

    Returns:
        (record, signed_at) with `signed_at` a UTC datetime.

    Raises:
        PayloadError: strict-CBOR violation, a missing or unknown key, a wrong type, or a
            field value the record schema refuses (the message says which).
    """
    m = _loads_payload(data)
    _check_payload_keys(m)
    get = m.get
    holder, doc_id, bin_value, days, seconds = get(K_HOLDER), get(K_DOC_TYPE), get(K_BIN), get(K_AWARD_DATE), \
        get(K_SIGNED_AT)
    series, number, programme = get(K_SERIES), get(K_NUMBER), get(K_PROGRAMME)
    qualification, duplicate, revision = get(K_QUALIFICATION, _ABSENT), get(K_DUPLICATE, _ABSENT), get(K_REVISION, 1)
    # One test of every type and range for a well-formed payload; anything else goes through `_payload_fault`,
    # which names the first fault in the order of docs/FORMAT.md §3.
    if not (type(holder) is list and type(doc_id) is int and type(bin_value) is int and type(days) is int
            and type(seconds) is int and type(series) is str and type(number) is str and type(programme) is str
            and (qualification is _ABSENT or type(qualification) is str) and type(revision) is int
            and 2 <= len(holder) <= 3 and all(type(p) is str for p in holder)
            and (duplicate is _ABSENT or (type(duplicate) is list and len(duplicate) == 3 and type(duplicate[0]) is int
                                       and type(duplicate[1]) is str and type(duplicate[2]) is str))
            and 0 <= bin_value <= 999_999_999_999 and 0 <= days <= 100_000 and 0 <= seconds <= 2**34
            and (K_REVISION not in m or revision >= 2) and (K_HONOURS not in m or m[K_HONOURS] is True)):
        raise _payload_fault(m)
    doc_type = get_document_type_by_id(doc_id)
    if doc_type is None:
        raise PayloadError(texts.text("v_cbor_doc_type", field="payload", id=str(doc_id)))
    try:
        record = Record(
            doc_type=doc_type.code,
            series=series,
            number=number,
            holder=HolderName(*holder),
            institution_bin=f"{bin_value:012d}",
            award_date=_EPOCH_DAY + dt.timedelta(days=days),
            programme=programme,
            qualification=None if qualification is _ABSENT else qualification,
            honours=K_HONOURS in m,
            duplicate=None if duplicate is _ABSENT else DuplicateOf(*duplicate),
            revision=revision,
        )
    except RecordError as exc:
        said = exc.text
        assert said is not None  # every check of verify.record raises with a Text (tests/core/test_texts.py)
        said = said._replace(field=f"payload: {said.field}" if said.field else "payload")
        raise PayloadError(said) from None
    signed_at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if signed_at.date() < record.award_date:
        raise PayloadError(texts.text("v_cbor_award_after_signing", field="payload"))
    return record, signed_at


_ABSENT: Any = object()  # an optional key not in the payload (a key with the value null is a wrong type)


def _loads_payload(data: bytes) -> dict[Any, Any]:
    """`strict_loads` of a payload map, with the deterministic encoding checked at a third of the cost.

    A map with its integer keys in ascending order and no floats, tags or nested maps (the payload's types, checked
    by `decode_payload` after this) is written by cbor2's plain encoder exactly as by its canonical one (RFC 8949
    §4.2.1 orders the keys 0..23 by their value), so the plain re-encoding is compared, and the order of the keys
    checked apart; the canonical re-encoding costs 2.7 times the plain one (37,800 against 14,200 instructions under
    callgrind). Anything else goes through `strict_loads`, which names the fault.

    Raises:
        PayloadError: as `strict_loads` and `decode_payload` name it.
    """
    if type(data) is bytes and len(data) <= MAX_PAYLOAD_BYTES:
        try:
            m: dict[Any, Any] = cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, max_depth=4)
            same = type(m) is dict and list(m) == sorted(m) and cbor2.dumps(m) == data
        except Exception:  # cbor2 raises several types; all mean "not our CBOR": strict_loads names it
            same = False
        if same and all(type(k) is int and 0 <= k < 24 for k in m):
            return m
    value = strict_loads(data, cap=MAX_PAYLOAD_BYTES, error=PayloadError, what="payload")
    if not isinstance(value, dict):
        raise PayloadError(texts.text("v_cbor_map", field="payload"))
    return value


def _check_payload_keys(m: dict[Any, Any]) -> None:
    """The payload map's keys: integers only, every required key, no unknown key, version 1 (docs/FORMAT.md §3)."""
    if not all(type(k) is int for k in m):
        raise PayloadError(texts.text("v_cbor_int_keys", field="payload"))
    keys = m.keys()
    if missing := REQUIRED_KEYS - keys:
        raise PayloadError(texts.text("v_cbor_missing", field="payload", keys=str(sorted(missing))))
    if unknown := keys - ALL_KEYS:
        raise PayloadError(texts.text("v_cbor_unknown", field="payload", keys=str(sorted(unknown))))
    if m[K_VERSION] != FORMAT_VERSION or type(m[K_VERSION]) is not int:
        raise PayloadError(texts.text("v_cbor_version", field="payload", version=repr(m[K_VERSION])))


def _payload_fault(m: dict[int, Any]) -> PayloadError:
    """The error naming the first wrong type or out-of-range value of a payload whose keys passed."""
    holder = _typed(m, K_HOLDER, list, "holder")
    if get_document_type_by_id(_typed(m, K_DOC_TYPE, int, "document type")) is None:
        return PayloadError(texts.text("v_cbor_doc_type", field="payload", id=str(m[K_DOC_TYPE])))
    bin_value = _typed(m, K_BIN, int, "institution")
    if not 0 <= bin_value <= 999_999_999_999:
        return PayloadError(texts.text("v_cbor_bin", field="payload"))
    if K_REVISION in m and (type(m[K_REVISION]) is not int or m[K_REVISION] < 2):
        return PayloadError(texts.text("v_cbor_revision", field="payload"))
    if not 2 <= len(holder) <= 3 or not all(type(p) is str for p in holder):
        return PayloadError(texts.text("v_cbor_holder", field="payload"))
    if K_HONOURS in m and m[K_HONOURS] is not True:
        return PayloadError(texts.text("v_cbor_honours", field="payload"))
    if K_DUPLICATE in m:
        dup = _typed(m, K_DUPLICATE, list, "duplicate")
        if len(dup) != 3 or type(dup[0]) is not int or type(dup[1]) is not str or type(dup[2]) is not str:
            return PayloadError(texts.text("v_cbor_duplicate", field="payload"))
    days = _typed(m, K_AWARD_DATE, int, "award date")
    seconds = _typed(m, K_SIGNED_AT, int, "signing time")
    if not 0 <= days <= 100_000 or not 0 <= seconds <= 2**34:
        return PayloadError(texts.text("v_cbor_dates", field="payload"))
    for key, label in ((K_SERIES, "series"), (K_NUMBER, "number"), (K_PROGRAMME, "programme")):
        _typed(m, key, str, label)
    if K_QUALIFICATION in m:
        _typed(m, K_QUALIFICATION, str, "qualification")
    raise AssertionError("a payload that decode_payload refused but no check names")  # pragma: no cover


def _doc_type_id(code: str) -> int:
    doc_type = get_document_type(code)
    if doc_type is None:
        raise RecordError(texts.text("v_rec_doc_type", field="doc_type"))
    return doc_type.cbor_id


def _typed(m: dict[int, Any], key: int, kind: type, label: str) -> Any:
    value = m[key]
    if type(value) is not kind:
        raise PayloadError(texts.text("v_cbor_typed", field="payload", label=label, key=key, kind=kind.__name__))
    return value


# ============================================================================ §4 COSE_Sign1
@dataclass(frozen=True, slots=True)
class CoseSign1:
    """A parsed, not yet verified COSE_Sign1 (RFC 9052 §4.2).

    Attributes:
        protected: the protected header bytes exactly as received (bstr contents).
        alg: COSE algorithm id from the protected header (-8 EdDSA or -7 ES256).
        kid: 8-byte key id hint from the protected header (DESIGN.md: only a hint).
        payload: the payload bytes (unverified until the signature step passes).
        signature: 64 bytes.
    """

    protected: bytes
    alg: int
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """The Sig_structure bytes the signature covers (RFC 9052 §4.4)."""
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """`["Signature1", protected, external_aad = h'', payload]` as CBOR (RFC 9052 §4.4).

    Written out byte by byte (array of 4, the text "Signature1", the two byte strings with shortest heads and the
    empty external_aad) rather than through `cbor2.dumps`: it runs on every verification, and
    tests/core/test_codec.py checks the bytes against cbor2's for any inputs.
    """
    return b"".join((_SIG1_HEAD, _bstr_head(len(protected)), protected, b"\x40", _bstr_head(len(payload)), payload))


_SIG1_HEAD = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1" (RFC 8949 §3.1)


def _bstr_head(length: int) -> bytes:
    """The shortest head of a CBOR byte string of `length` bytes (major type 2, RFC 8949 §3.1, §4.2.1)."""
    if length < 24:
        return bytes((0x40 | length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 0x100000000:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def encode_protected(alg: int, kid: bytes) -> bytes:
    """The protected header map {1: alg, 4: kid} in deterministic CBOR (RFC 9052 §3.1)."""
    return cbor2.dumps({HDR_ALG: alg, HDR_KID: kid}, canonical=True)


def encode_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """Tagged COSE_Sign1 `18([protected, {}, payload, signature])` (RFC 9052 §4.2)."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]), canonical=True)


def parse_sign1(data: bytes) -> CoseSign1:
    """Parse the COSE_Sign1 profile of docs/FORMAT.md §4 without verifying anything.

    The bytes of a well-formed code are read at fixed offsets (`_parse_sign1_exact`: the one deterministic encoding
    the profile allows); anything else goes through the general strict decoder, which names what is wrong. Both
    give the same result for every input they both accept (tests/core/test_codec.py, property test).

    Raises:
        CoseStructureError: wrong tag, shape, header content, algorithm, kid or signature length.
    """
    exact = _parse_sign1_exact(data)
    return exact if exact is not None else _parse_sign1_strict(data)


def _parse_sign1_strict(data: bytes) -> CoseSign1:
    """`parse_sign1` through the general strict CBOR decoder (`strict_loads`), for any bytes."""
    obj = strict_loads(data, cap=MAX_COSE_BYTES, error=CoseStructureError, what="COSE_Sign1")
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != COSE_SIGN1_TAG:
        raise CoseStructureError(texts.text("v_cose_tag", field="COSE_Sign1"))
    body = obj.value
    if not isinstance(body, (list, tuple)) or len(body) != 4:
        raise CoseStructureError(texts.text("v_cose_array", field="COSE_Sign1"))
    protected, unprotected, payload, signature = body
    if type(protected) is not bytes or type(payload) is not bytes or type(signature) is not bytes:
        raise CoseStructureError(texts.text("v_cose_bytes", field="COSE_Sign1"))
    if not isinstance(unprotected, Mapping) or len(unprotected) != 0:
        raise CoseStructureError(texts.text("v_cose_unprotected", field="COSE_Sign1"))
    header = strict_loads(protected, cap=64, error=CoseStructureError, what="protected header")
    if not isinstance(header, dict) or set(header) != {HDR_ALG, HDR_KID}:
        raise CoseStructureError(texts.text("v_cose_header_keys", field="protected header"))
    alg, kid = header[HDR_ALG], header[HDR_KID]
    if type(alg) is not int or alg not in SUPPORTED_ALGS:
        raise CoseStructureError(texts.text("v_cose_alg", field="protected header", alg=repr(alg)))
    if type(kid) is not bytes or len(kid) != KID_BYTES:
        raise CoseStructureError(texts.text("v_cose_kid", field="protected header", count=KID_BYTES))
    if len(signature) != SIGNATURE_BYTES:
        raise CoseStructureError(texts.text("v_cose_signature", field="COSE_Sign1", count=SIGNATURE_BYTES))
    return CoseSign1(protected=protected, alg=alg, kid=kid, payload=payload, signature=signature)


#: The first 17 bytes of every COSE_Sign1 of the profile but for the algorithm byte (offset 5) and the kid (8-16):
#: tag 18, array(4), bstr(13) protected header `{1: alg, 4: h'<8 bytes>'}` (RFC 8949 §4.2.1 deterministic), and the
#: empty unprotected map after it (offset 16).
_SIGN1_HEAD = b"\xd2\x84\x4d\xa2\x01"
_ALG_BYTES = {0x27: ALG_EDDSA, 0x26: ALG_ES256}  # CBOR negative integers -8, -7 (major type 1, RFC 8949 §3.1)
_SIGNATURE_HEAD = b"\x58\x40"  # bstr(64)


def _parse_sign1_exact(data: object) -> CoseSign1 | None:
    """The COSE_Sign1 of the profile read at fixed offsets, or None for any other bytes (then the strict decoder
    of `parse_sign1` decides and names the fault).

    Accepts exactly `D2 84 4D A2 01 <26|27> 04 48 <kid:8> A0 <bstr head> <payload> 58 40 <signature:64>` with the
    payload's head in its shortest form and nothing after the signature: the one encoding of a valid code that
    `strict_loads` accepts (RFC 8949 §4.2.1), so no input is accepted here that the strict path refuses.
    """
    if type(data) is not bytes or not 84 <= len(data) <= MAX_COSE_BYTES or data[:5] != _SIGN1_HEAD:
        return None
    alg = _ALG_BYTES.get(data[5])
    if alg is None or data[6] != 0x04 or data[7] != 0x48 or data[16] != 0xA0:
        return None
    head = data[17]
    if 0x40 <= head < 0x58:
        start, length = 18, head - 0x40
    elif head == 0x58 and data[18] >= 24:
        start, length = 19, data[18]
    elif head == 0x59 and (data[18] << 8 | data[19]) >= 0x100:
        start, length = 20, data[18] << 8 | data[19]
    else:
        return None
    end = start + length
    if len(data) != end + 66 or data[end:end + 2] != _SIGNATURE_HEAD:
        return None
    return CoseSign1(protected=data[3:16], alg=alg, kid=data[8:16], payload=data[start:end], signature=data[end + 2:])


# ============================================================================ §5 QR text
def qr_prefix(base_url: str) -> str:
    """The QR text prefix for a verification base URL: `HTTPS://HOST/V/`, upper case.

    Args:
        base_url: e.g. "https://v.edu.kz" (scheme http or https, a host of the grammar of
            docs/FORMAT.md §5.2, an optional port, no path, query or user info; ASCII only;
            `http` only for a development host).

    Raises:
        RecordError: another shape, or a prefix longer than `MAX_PREFIX_CHARS`.
    """
    if not isinstance(base_url, str) or not base_url.isascii():
        raise RecordError(texts.text("v_url_ascii", field="base URL"))
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise RecordError(texts.text("v_url_shape", field="base URL"))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise RecordError(texts.text("v_url_path", field="base URL"))
    prefix = ascii_upper(f"{parts.scheme}://{parts.netloc}/V/")
    if len(prefix) > MAX_PREFIX_CHARS:
        raise RecordError(texts.text("v_url_prefix_long", field="base URL", prefix=repr(prefix),
                                     limit=MAX_PREFIX_CHARS))
    try:
        split_qr_text(prefix + "1")
    except PrefixError as exc:
        raise RecordError(_about(exc, "base URL")) from None
    return prefix


def _about(exc: PrefixError, field: str) -> texts.Text:
    """A prefix refusal's `Text`, about a configured `field` ("base URL", "QR prefix") rather than a QR text."""
    said = exc.text if exc.text is not None else texts.text("v_qr_prefix")
    return texts.Text(said.key, said.params, field)


def qr_prefixes(base_urls: Iterable[str]) -> tuple[str, ...]:
    """The QR prefixes of several base URLs (the service's current host and its former ones), in order.

    A verifier of this service accepts a text only under one of them (docs/FORMAT.md §5), so codes printed
    before a domain move still verify: `Verifier(trust_list, accepted_prefixes=qr_prefixes(urls))`.

    Raises:
        RecordError: a URL that `qr_prefix` refuses, or none at all.
    """
    out = tuple(dict.fromkeys(qr_prefix(url) for url in base_urls))
    if not out:
        raise RecordError(texts.text("v_url_none", field="base URLs"))
    return out


def normalize_prefix(prefix: str) -> str:
    """A configured QR prefix (`HTTPS://HOST/V/`, any ASCII case) in its canonical form: ASCII upper case.

    Raises:
        RecordError: not ASCII, or not a prefix of the grammar of docs/FORMAT.md §5.2.
    """
    if not isinstance(prefix, str) or not prefix.isascii():
        raise RecordError(texts.text("v_url_prefix_ascii", field="QR prefix"))
    try:
        found, rest = split_qr_text(prefix + "1")
    except PrefixError as exc:
        raise RecordError(_about(exc, "QR prefix")) from None
    if rest != "1":
        raise RecordError(texts.text("v_url_prefix_end", field="QR prefix"))
    return found


def ascii_upper(text: str) -> str:
    """Upper-case the ASCII letters a-z only; every other character is kept as it is (docs/FORMAT.md §5.2)."""
    return text.translate(_ASCII_UPPER)


def is_development_host(host: str) -> bool:
    """Whether an upper-case host (no port) is a development host (docs/FORMAT.md §5.2).

    `LOCALHOST`, a name ending in `.LOCALHOST` or `.TEST` (RFC 6761 §6.2, §6.3), or an IPv4 address in the
    loopback network 127.0.0.0/8 or a private network of RFC 1918 (10/8, 172.16/12, 192.168/16).
    """
    if host == "LOCALHOST" or host.endswith(DEVELOPMENT_SUFFIXES):
        return True
    octets = _ipv4(host)
    if octets is None:
        return False
    address = ipaddress.IPv4Address(bytes(octets))
    return any(address in network for network in DEVELOPMENT_NETWORKS)


def _ipv4(host: str) -> list[int] | None:
    parts = host.split(".")
    if len(parts) != 4 or not all(p.isdigit() and p.isascii() for p in parts):
        return None
    if any(len(p) > 1 and p[0] == "0" for p in parts) or any(int(p) > 255 for p in parts):
        return None
    return [int(p) for p in parts]


@lru_cache(maxsize=256)
def _check_host(scheme: str, host: str, port: str | None) -> None:
    """The host grammar of docs/FORMAT.md §5.2 (upper-case ASCII); `HTTP` only for a development host.

    Cached (a pure function of its arguments; a verifier sees a handful of hosts): a refusal raises on every call,
    since `lru_cache` keeps only results.
    """
    labels = host.split(".")
    if labels[-1].isdigit():
        if _ipv4(host) is None:
            raise PrefixError(texts.text("v_qr_ipv4", field="QR text"))
    elif len(host) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        raise PrefixError(texts.text("v_qr_host", field="QR text"))
    if port is not None and int(port) > 65535:
        raise PrefixError(texts.text("v_qr_port", field="QR text"))
    if scheme == "HTTP" and not is_development_host(host):
        raise PrefixError(texts.text("v_qr_http", field="QR text"))


def bytes_to_digits(cose: bytes) -> str:
    """0x01 || cose as one decimal number (docs/FORMAT.md §5); the 0x01 keeps leading zero bytes."""
    return str(int.from_bytes(b"\x01" + cose, "big"))


def digits_to_bytes(digits: str) -> bytes:
    """Inverse of `bytes_to_digits`, strict: canonical digits only (step 2).

    Raises:
        DigitsError: empty, too long, a non-digit, a leading zero, or no 0x01 marker byte.
    """
    if not digits or len(digits) > MAX_DIGITS:
        raise DigitsError(texts.text("v_digits_count", field="digits", limit=MAX_DIGITS))
    # As bytes: their isdigit() is ASCII-only and int() of bytes skips the Unicode-to-ASCII pass of int() of a
    # str (callgrind, ~480 digits: 39,100 instructions per call instead of 47,400).
    ascii_digits = digits.encode("ascii") if digits.isascii() else b""
    if not ascii_digits.isdigit():
        raise DigitsError(texts.text("v_digits_only", field="digits"))
    if digits[0] == "0":
        raise DigitsError(texts.text("v_digits_leading_zero", field="digits"))
    value = int(ascii_digits)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if raw[:1] != b"\x01":
        raise DigitsError(texts.text("v_digits_marker", field="digits"))
    return raw[1:]


def split_qr_text(text: str) -> tuple[str, str]:
    """Split a QR text into its prefix (ASCII-upper-cased) and its digits (step 1).

    Leading and trailing white space (a CR/LF some scanners add) is removed; any other
    deviation from `HTTP(S)://HOST/V/` (ASCII letters in any case, the host grammar of
    docs/FORMAT.md §5.2) followed by the digits is refused. Only ASCII is read: a character
    outside it is never case-folded to an ASCII letter.

    Raises:
        PrefixError: not text, too long, not ASCII, or no valid prefix.
    """
    if not isinstance(text, str):
        raise PrefixError(texts.text("v_qr_text", field="QR text"))
    text = text.strip(" \t\r\n")
    if len(text) > MAX_PREFIX_CHARS + MAX_DIGITS:
        raise PrefixError(texts.text("v_qr_too_long", field="QR text"))
    match = _PREFIX_RE.match(ascii_upper(text[:MAX_PREFIX_CHARS]))
    if match is None:
        raise PrefixError(texts.text("v_qr_prefix", field="QR text"))
    _check_host(match.group(1), match.group(2), match.group(3))
    return match.group(0), text[match.end():]


def to_qr_text(cose: bytes, base_url: str) -> str:
    """The QR text of a COSE_Sign1: `qr_prefix(base_url)` + `bytes_to_digits(cose)`."""
    return qr_prefix(base_url) + bytes_to_digits(cose)
