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

The QR text (§5: `qr_prefix`, `to_qr_text`, `split_qr_text`, `digits_to_bytes`: steps 1 and 2) is
`verify.qrtext`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import cbor2

from . import texts
from .doctypes import get_document_type, get_document_type_by_id
from .errors import CoseStructureError, PayloadError, RecordError
from .qrtext import (  # noqa: F401  the QR text of §5, also reached as codec's by tests and benchmarks
    MAX_DIGITS,
    MAX_PREFIX_CHARS,
    ascii_upper,
    bytes_to_digits,
    digits_to_bytes,
    is_development_host,
    normalize_prefix,
    qr_prefix,
    qr_prefixes,
    split_qr_text,
    to_qr_text,
)
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
_EPOCH_DAY = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH_DAY.toordinal()


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
    m = _loads_payload(data)  # every required key is in it
    holder, doc_id, bin_value, days, seconds = m[K_HOLDER], m[K_DOC_TYPE], m[K_BIN], m[K_AWARD_DATE], m[K_SIGNED_AT]
    series, number, programme = m[K_SERIES], m[K_NUMBER], m[K_PROGRAMME]
    get = m.get
    qualification, duplicate, revision = get(K_QUALIFICATION, _ABSENT), get(K_DUPLICATE, _ABSENT), get(K_REVISION, 1)
    # One test of every type and range for a well-formed payload; anything else goes through `_payload_fault`,
    # which names the first fault in the order of docs/FORMAT.md §3.
    if not (type(holder) is list and type(doc_id) is int and type(bin_value) is int and type(days) is int
            and type(seconds) is int and type(series) is str and type(number) is str and type(programme) is str
            and (qualification is _ABSENT or type(qualification) is str) and type(revision) is int
            and 2 <= len(holder) <= 3 and _STR_ONLY.issuperset(map(type, holder))
            and (duplicate is _ABSENT or (type(duplicate) is list and len(duplicate) == 3 and type(duplicate[0]) is int
                                       and type(duplicate[1]) is str and type(duplicate[2]) is str))
            and 0 <= bin_value <= 999_999_999_999 and 0 <= days <= 100_000 and 0 <= seconds <= 2**34
            and (K_REVISION not in m or revision >= 2) and (K_HONOURS not in m or m[K_HONOURS] is True)):
        raise _payload_fault(m)
    doc_type = get_document_type_by_id(doc_id)
    if doc_type is None:
        raise PayloadError(texts.text("v_cbor_doc_type", field="payload", id=str(doc_id)))
    try:
        record = Record.decoded(doc_type, series, number, HolderName(*holder), f"{bin_value:012d}",
                                dt.date.fromordinal(_EPOCH_ORDINAL + days), programme,
                                None if qualification is _ABSENT else qualification, K_HONOURS in m,
                                None if duplicate is _ABSENT else DuplicateOf(*duplicate), revision)
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
    """The payload map, strictly decoded, with its keys checked (`_check_payload_keys`), at a fraction of the cost of
    `strict_loads` for a well-formed payload.

    A map whose keys are the integers of `ALL_KEYS` (1..13) in ascending order, with no floats, tags or nested maps
    among its values (the payload's types, checked by `decode_payload` after this), is written by cbor2's plain
    encoder exactly as by its canonical one (RFC 8949 §4.2.1 orders the keys 0..23 by their value), so the plain
    re-encoding is compared (the canonical one costs 2.7 times as many instructions: 37,800 against 14,200 under
    callgrind); the keys are checked by set operations and one pass of `type` in C (a generator expression per key
    cost more than the decoding: issue 16 item 2). Anything else goes through `strict_loads` and
    `_check_payload_keys`, which name the fault.

    Raises:
        PayloadError: as `strict_loads` and `_check_payload_keys` name it.
    """
    if type(data) is bytes and len(data) <= MAX_PAYLOAD_BYTES:
        try:
            m: dict[Any, Any] = cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, max_depth=4)
            keys = m.keys() if type(m) is dict else None
            # `keys <= ALL_KEYS` alone would take 1.0 or True for 1 (equal and of equal hash): the types are checked.
            same = keys is not None and REQUIRED_KEYS <= keys <= ALL_KEYS and _INT_ONLY.issuperset(map(type, keys)) \
                and list(keys) == sorted(keys) and type(m[K_VERSION]) is int and m[K_VERSION] == FORMAT_VERSION \
                and cbor2.dumps(m) == data
        except Exception:  # cbor2 raises several types; all mean "not our CBOR": strict_loads names it
            same = False
        if same:
            return m
    value = strict_loads(data, cap=MAX_PAYLOAD_BYTES, error=PayloadError, what="payload")
    if not isinstance(value, dict):
        raise PayloadError(texts.text("v_cbor_map", field="payload"))
    _check_payload_keys(value)
    return value


_INT_ONLY: Final = frozenset({int})
_STR_ONLY: Final = frozenset({str})


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
