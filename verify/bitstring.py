"""W3C Bitstring Status List v1.0 (W3C Recommendation, 15 May 2025) over the registry's statuses (docs/INTEROP.md §4).

The mapping from our status lists (docs/FORMAT.md §9) to Bitstring Status Lists:

* **One list per series and revision**, `statusPurpose` "revocation", at
  `credentials.status_list_url(base, series, r)`. A credential states one revision r of one document; its entry
  points at list r of its series.
* **Index = the document's number** (its seven digits as an integer, 0..9,999,999). Bitstring Status List §2.1
  recommends random indexes against correlation; here the number is printed on the paper and in the credential
  itself, so a random index would hide nothing, and the list of a series is fetched whole (never per document).
  The bitstring has 10,000,000 entries (above the minimum of 131,072, §3.2), GZIP-compressed (§4.1) to about a
  kilobyte when few numbers are set.
* **Bit n of list r is 1** exactly when document n is not in force as revision r: annulled, replaced by a
  duplicate (void), or corrected to another revision. That is exactly when the registry's verdict for a record
  of revision r is not VALID (CORRECTED, REPLACED, ANNULLED), and each of these is final, as "revocation" must be
  ("This status is not reversible", §2.1): a replaced or annulled document never returns, a corrected revision is
  never current again. A duplicate in force and an original in force have bit 0 in the list of their current
  revision. Why a bit is set, the duplicate's number and the changed fields stay in our signed status list and
  the registry.
* The list is built from the same rows as `verify.statuslist.build_status_list` (number, `NumberStatus`), signed
  as a JWT (`verify.vc.sign_credential`) by the status signer of the series (trust-list usage `status`), whose
  issuer may differ from the diploma credential's issuer (§3.2 allows it); `validUntil` is at most 7 days after
  `validFrom` and `ttl` 24 hours, as the COSE lists' expiry and next update (docs/FORMAT.md §9.2).

    bitstring_status_entry(base_url=, series=, number=, revision=) -> dict      a credential's credentialStatus
    build_bitstring_status_list(series, rows, revision=, base_url=, issued_at=) -> dict   the unsigned list
    status_of_entry(status_list_credential, entry) -> bool                      §3.2 validate: True when revoked
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
from collections.abc import Iterable, Mapping
from typing import Any

from . import credentials as cr
from .errors import RecordError, StatusListError
from .identifiers import normalize_series, validate_number
from .record import MAX_REVISION
from .statuslist import IN_FORCE, MAX_NEXT_UPDATE, MAX_NUMBER, MAX_VALIDITY, NumberStatus

ENTRIES = MAX_NUMBER + 1  # one bit per seven-digit number
MIN_ENTRIES = 131_072  # Bitstring Status List §3.2 minimumNumberOfEntries
PURPOSE = "revocation"
MAX_ENCODED_CHARS = 4 * 1024 * 1024
MAX_EXPANDED_BYTES = ENTRIES // 8


def bitstring_status_entry(*, base_url: str, series: str, number: str, revision: int) -> dict[str, Any]:
    """The `credentialStatus` of the credential of one document revision: a BitstringStatusListEntry (§2.1).

    Raises:
        RecordError: a series not normalised, a number not of seven digits, a revision outside 1..999.
    """
    if normalize_series(series) != series:
        raise RecordError("series: must be given in its normalised form")
    validate_number(number)
    if type(revision) is not int or not 1 <= revision <= MAX_REVISION:
        raise RecordError(f"revision: must be 1..{MAX_REVISION}")
    list_url = cr.status_list_url(base_url, series, revision)
    index = str(int(number))
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": index, "statusListCredential": list_url}


def in_force_at(status: NumberStatus | None, revision: int) -> bool:
    """Whether a document is in force as `revision`: not annulled, not replaced, and `revision` is current."""
    status = status or IN_FORCE
    return status.annulled_on is None and status.replaced_by is None and status.current_revision == revision


def encode_bits(indexes: Iterable[int], *, length: int = ENTRIES) -> str:
    """Multibase base64url (prefix "u", no padding) of the GZIP of a bitstring whose set bits are `indexes`.

    Bit 0 is the left-most (most significant) bit of the first byte (§2.2, the Bitstring Generation Algorithm).
    GZIP is written with mtime 0, so equal lists give equal text.

    Raises:
        StatusListError: an index outside 0..length-1, or a length not a multiple of 8 or below the minimum.
    """
    if length % 8 or length < MIN_ENTRIES:
        raise StatusListError(f"bitstring: length must be a multiple of 8 and at least {MIN_ENTRIES}")
    bits = bytearray(length // 8)
    for index in indexes:
        if not 0 <= index < length:
            raise StatusListError(f"bitstring: index {index} outside 0..{length - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    """The uncompressed bitstring of an `encodedList` (the Bitstring Expansion Algorithm), size-capped.

    Raises:
        StatusListError: not multibase base64url, not GZIP, or over 1,250,000 bytes expanded.
    """
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > MAX_ENCODED_CHARS:
        raise StatusListError("bitstring: encodedList must be multibase base64url text (prefix u)")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            bits = stream.read(MAX_EXPANDED_BYTES + 1)
    except (ValueError, OSError, EOFError):
        raise StatusListError("bitstring: encodedList is not base64url GZIP") from None
    if len(bits) > MAX_EXPANDED_BYTES:
        raise StatusListError(f"bitstring: over {MAX_EXPANDED_BYTES} bytes when expanded")
    return bits


def build_bitstring_status_list(series: str, rows: Iterable[tuple[str | int, NumberStatus | None]], *,
                                revision: int, base_url: str, issued_at: dt.datetime,
                                valid_until: dt.datetime | None = None) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of a series at one revision (§3.2), from the registry's rows.

    Args:
        series: the series (normalised).
        rows: `(number, status)` for every issued number of the series, as `verify.statuslist.build_status_list`
            takes them (status None for an original in force at revision 1).
        revision: the revision r the list speaks of (1..999).
        base_url: the verification host (the list's id and the issuer's link).
        issued_at: when the rows were read (`validFrom`).
        valid_until: at most 7 days later (default: 7 days, as a COSE status list's expiry).

    Returns:
        The credential: type BitstringStatusListCredential, subject type BitstringStatusList, purpose revocation,
        `encodedList` with bit n set when number n is not in force as revision r, `ttl` 24 h in milliseconds.

    Raises:
        RecordError: a bad series or revision, a naive time.
        StatusListError: a number outside 0..9,999,999, or `valid_until` not within 7 days after `issued_at`.
    """
    list_url = bitstring_status_entry(base_url=base_url, series=series, number="0000000",
                                      revision=revision)["statusListCredential"]
    valid_until = valid_until or issued_at + MAX_VALIDITY
    if not issued_at < valid_until <= issued_at + MAX_VALIDITY:
        raise StatusListError("bitstring: validUntil must be after validFrom and within 7 days")
    revoked = []
    for number, status in rows:
        value = int(number) if isinstance(number, str) and number.isascii() and number.isdigit() else number
        if type(value) is not int or not 0 <= value <= MAX_NUMBER:
            raise StatusListError(f"bitstring: {number!r} is not a seven-digit number")
        if not in_force_at(status, revision):
            revoked.append(value)
    return {
        "@context": [cr.VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": f"{cr.base(base_url)}/api/v1/status-lists",
        "validFrom": cr.rfc3339(issued_at),
        "validUntil": cr.rfc3339(valid_until),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList", "statusPurpose": PURPOSE,
                              "encodedList": encode_bits(revoked),
                              "ttl": int(MAX_NEXT_UPDATE.total_seconds() * 1000)},
    }


def status_of_entry(status_list_credential: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """The bit of a credential's BitstringStatusListEntry in a (verified) status list credential (§3.2 validate).

    Args:
        status_list_credential: the list credential, already verified (`verify.vc.verify_credential_jwt` with
            usage "status").
        entry: the credential's `credentialStatus`.

    Returns:
        True when the bit is set: the credential is revoked (not in force as the revision it states).

    Raises:
        StatusListError: the entry and list disagree (type, purpose, list URL), the list is shorter than 131,072
            entries (STATUS_LIST_LENGTH_ERROR), or the index is outside it (RANGE_ERROR).
    """
    if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusPurpose") != PURPOSE:
        raise StatusListError("bitstring: the entry is not a BitstringStatusListEntry of purpose revocation")
    if entry.get("statusListCredential") != status_list_credential.get("id"):
        raise StatusListError("bitstring: the entry names another status list credential")
    subject = status_list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList" \
            or subject.get("statusPurpose") != PURPOSE:
        raise StatusListError("bitstring: the list is not a BitstringStatusList of purpose revocation")
    bits = decode_bits(subject.get("encodedList", ""))
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusListError(f"bitstring: STATUS_LIST_LENGTH_ERROR, fewer than {MIN_ENTRIES} entries")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isascii() or not index_text.isdigit():
        raise StatusListError("bitstring: statusListIndex must be a base-10 integer as text")
    index = int(index_text)
    if index >= len(bits) * 8:
        raise StatusListError("bitstring: RANGE_ERROR, the index is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
