"""Verified status lists as the verifier's `StatusLookup`: offline, the one verifier judges as online.

    verify_status_list(data, trust_list=, at=, ...)   the checks of docs/FORMAT.md §9.5, or StatusListError
    load_status_lists(folder, trust_list=, at=, state=) -> (StatusListLookup, refusals)
    StatusListLookup(lists).lookup(...)               -> RegistryStatus, or StatusUnknownError

A list is refused when it is not a COSE_Sign1 of the status-list profile, when no trust-list signer of usage
`status` verifies it (a document signer's signature is refused: usages never mix), when that signer's
certificate is not the root's, when it was signed outside the signer's usage period or after its compromise,
when its series is outside the signer's scope or is not the series expected, when it is past its expiry (or
issued after the time of the check plus the clock skew), and when it is older than the list of its series
already seen (`verify.versionstate`). A series without a usable list answers `StatusUnknownError`: the
verdict is AUTHENTIC_STATUS_UNKNOWN, never VALID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import cbor2

from . import codec
from .errors import (
    CoseStructureError,
    ScopeError,
    SignerPeriodError,
    SignerRevokedError,
    StatusListError,
    StatusUnknownError,
)
from .keys import ALGORITHM_NAMES
from .status import DocumentRef, RegistryStatus, StatusCode
from .statuslist import (
    CONTENT_TYPE,
    HDR_CONTENT_TYPE,
    IN_FORCE,
    MAX_STATUS_LIST_BYTES,
    NumberStatus,
    StatusList,
    decode_status_list,
)
from .texts import rfc3339
from .trust import TrustList
from .verifier import MAX_CLOCK_SKEW
from .versionstate import VersionState, status_list_key

#: The file of one series' list in a synced folder (`verify sync`, `verify status-list export`).
STATUS_LIST_SUFFIX = ".cose"


def parse_status_list_cose(data: bytes) -> codec.CoseSign1:
    """Parse the COSE_Sign1 of a status list (docs/FORMAT.md §9.3) without verifying anything.

    Raises:
        StatusListError: not deterministic CBOR, not tag 18 with four elements, a protected header other than
            exactly `{1: alg, 3: "application/verify-status-list+cbor", 4: 8-byte kid}`, a non-empty
            unprotected header, a signature other than 64 bytes, over 8 MiB.
    """
    obj = codec.strict_loads(data, cap=MAX_STATUS_LIST_BYTES + 1024, error=StatusListError, what="status list COSE")
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != codec.COSE_SIGN1_TAG \
            or not isinstance(obj.value, (list, tuple)) or len(obj.value) != 4:
        raise StatusListError("status list: must be a tagged COSE_Sign1 of four elements")
    protected, unprotected, payload, signature = obj.value
    if type(protected) is not bytes or type(payload) is not bytes or type(signature) is not bytes \
            or not isinstance(unprotected, Mapping) or len(unprotected) != 0 \
            or len(signature) != codec.SIGNATURE_BYTES:
        raise StatusListError("status list: byte-string headers, payload and a 64-byte signature; "
                              "an empty unprotected header")
    try:
        header = codec.strict_loads(protected, cap=128, error=CoseStructureError, what="protected header")
    except CoseStructureError as exc:
        raise StatusListError(f"status list: {exc.message}") from None
    if not isinstance(header, dict) or set(header) != {codec.HDR_ALG, HDR_CONTENT_TYPE, codec.HDR_KID} \
            or header[HDR_CONTENT_TYPE] != CONTENT_TYPE or header[codec.HDR_ALG] not in codec.SUPPORTED_ALGS \
            or type(header[codec.HDR_ALG]) is not int or type(header[codec.HDR_KID]) is not bytes \
            or len(header[codec.HDR_KID]) != codec.KID_BYTES:
        raise StatusListError(f"status list: the protected header must be {{1: -8 or -7, 3: {CONTENT_TYPE!r}, "
                              "4: 8-byte kid}")
    return codec.CoseSign1(protected=protected, alg=header[codec.HDR_ALG], kid=header[codec.HDR_KID],
                           payload=payload, signature=signature)


def verify_status_list(data: bytes, *, trust_list: TrustList, at: dt.datetime, series: str | None = None,
                       state: VersionState | None = None) -> StatusList:
    """Verify a signed status list (docs/FORMAT.md §9.5) and record its version as seen.

    Args:
        data: the COSE_Sign1 bytes (a `<series>.cose` file, or `GET /api/v1/status-lists/{series}`).
        trust_list: the verified trust list; only its signers of usage `status` may have signed it.
        at: the time of the check (aware).
        series: the series the list must be for (the file or URL it came from), or None.
        state: the highest versions seen; a list older than its series' is refused, then its version is
            recorded. None checks no rollback (a caller that keeps versions itself).

    Returns:
        The verified `StatusList`, its `signer` set.

    Raises:
        StatusListError: any failed check; the message names it.
        VersionStateError: the state cannot be read or written.
        ValueError: `at` is naive.
    """
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware")
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_STATUS_LIST_BYTES + 1024:
        raise StatusListError("status list: must be at most 8 MiB of bytes")
    sign1 = parse_status_list_cose(bytes(data))
    candidates = trust_list.candidates(sign1.kid, usage="status")
    if not candidates:
        others = [u for u in ("document", "log") if trust_list.candidates(sign1.kid, usage=u)]
        raise StatusListError(f"status list: kid {sign1.kid.hex()} is " +
                              (f"a {others[0]} signer, not a status signer" if others else
                               f"not a status signer in trust list version {trust_list.version}"))
    tbs = sign1.to_be_signed()
    verified = [c for c in candidates if c.verifies(sign1.alg, sign1.signature, tbs)]
    if not verified:
        raise StatusListError(f"status list: the {ALGORITHM_NAMES[sign1.alg]} signature does not verify under "
                              "the status signer")
    chained = [c for c in verified if c.chains_to_root]
    if not chained:
        raise StatusListError("status list: the status signer's certificate is not issued by the root")
    decoded = decode_status_list(sign1.payload)
    first_error: Exception | None = None
    for entry in chained:
        try:
            entry.check_at(decoded.issued_at)
            if decoded.series not in entry.scope.series:
                raise ScopeError(f"series {decoded.series} is outside the status signer's scope")
        except (SignerPeriodError, SignerRevokedError, ScopeError) as exc:
            first_error = first_error or exc
            continue
        signed = replace(decoded, signer=entry)
        break
    else:
        raise StatusListError(f"status list: {first_error}")
    if series is not None and signed.series != series:
        raise StatusListError(f"status list: a list of series {signed.series} where {series} was expected")
    if at > signed.expires_at:
        raise StatusListError(f"status list {signed.series} v{signed.version}: expired at "
                              f"{rfc3339(signed.expires_at)}")
    if signed.issued_at > at + MAX_CLOCK_SKEW:
        raise StatusListError(f"status list {signed.series} v{signed.version}: issued at "
                              f"{rfc3339(signed.issued_at)}, after the time of the check")
    if state is not None:
        key = status_list_key(trust_list.root, signed.series)
        highest = state.highest(key)
        if signed.version < highest:
            raise StatusListError(f"status list {signed.series}: version {signed.version} is older than version "
                                  f"{highest} already seen (rollback refused)")
        state.raise_to(key, signed.version)
    return signed


class StatusListLookup:
    """`verify.status.StatusLookup` over verified status lists, one per series.

    Statuses are as of each list's issue time (`RegistryStatus.as_of`) and name the list they came from
    (`RegistryStatus.source`, "signed status list BD v42"). What a list cannot know: whether the presented
    payload is byte for byte the registry's (an authentic record of an issued number with a revision not
    above the current one is taken as the registry's), the fields a correction changed, an annulment's basis.

    Args:
        lists: verified lists (`verify_status_list`); for a series given twice the highest version is kept.

    Example:
        >>> lookup, refused = load_status_lists(Path("status"), trust_list=tl, at=now, state=state)  # doctest: +SKIP
        >>> Verifier(tl, status_lookup=lookup, status_required=True).check(text, at=now)       # doctest: +SKIP
    """

    def __init__(self, lists: Iterable[StatusList]) -> None:
        kept: dict[str, StatusList] = {}
        for status_list in lists:
            held = kept.get(status_list.series)
            if held is None or status_list.version > held.version:
                kept[status_list.series] = status_list
        self.lists: Mapping[str, StatusList] = MappingProxyType(kept)
        """series -> the list held for it (read-only: a lookup answers from the lists it was made with)."""
        # What a list answers for every number it holds in force at its first revision (no annulment, duplicate or
        # correction: most of a series) is one immutable value; it is built once per list, not per check (issue 16
        # item 2: a `RegistryStatus` of 17 fields costs about a third of a status list's lookup).
        self._in_force: dict[str, RegistryStatus] = {
            series: _answer(held, IN_FORCE, IN_FORCE.current_revision) for series, held in self.lists.items()}

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        """The status of the record (series, number, revision) as its series' list says.

        Args:
            series, number, revision: from the verified payload.
            payload_sha256: not used: a list carries no hashes.
            at: the time of the check (aware).

        Returns:
            `RegistryStatus` as of the list's issue time, `source` naming the list.

        Raises:
            StatusUnknownError: no list for the series, or its list is past its expiry at `at` (or issued
                after `at` plus the clock skew).
        """
        held = self.lists.get(series)
        if held is None:
            raise StatusUnknownError(f"no status list for series {series}: status unknown")
        if at > held.expires_at:
            raise StatusUnknownError(f"the {held.source} expired at {rfc3339(held.expires_at)}: status unknown")
        if held.issued_at > at + MAX_CLOCK_SKEW:
            raise StatusUnknownError(f"the {held.source} was issued after the time of the check: status unknown")
        status = held.status_of(number)
        if status is IN_FORCE and revision == IN_FORCE.current_revision:
            return self._in_force[series]
        return _answer(held, status, revision)


def status_from_list(status_list: StatusList, *, number: str, revision: int) -> RegistryStatus:
    """What the registry would have answered at the list's issue time (the rules of `verify.registry.lookup`).

    NOT_IN_REGISTRY for a number not issued or a revision above the current one; then ANNULLED, REPLACED
    (the successor's N is the document's own N + 1), CORRECTED (a revision below the current one),
    DUPLICATE_VALID, ORIGINAL_VALID. Dates become midnight UTC of their day.
    """
    return _answer(status_list, status_list.status_of(number), revision)


def _answer(status_list: StatusList, status: NumberStatus | None, revision: int) -> RegistryStatus:
    """`status_from_list` for the number whose status the list gives as `status` (None: not issued)."""
    as_of, source = status_list.issued_at, status_list.source
    if status is None or revision > status.current_revision:
        return RegistryStatus(code=StatusCode.NOT_IN_REGISTRY, as_of=as_of, source=source)
    duplicate = status.duplicate
    base = RegistryStatus(code=StatusCode.ORIGINAL_VALID, as_of=as_of, source=source,
                          current_revision=status.current_revision,
                          duplicate_no=None if duplicate is None else duplicate.duplicate_no,
                          original=None if duplicate is None else
                          DocumentRef(series=duplicate.original_series, number=duplicate.original_number))
    if status.annulled_on is not None:
        return replace(base, code=StatusCode.ANNULLED, annulled_at=_midnight(status.annulled_on))
    if status.replaced_by is not None:
        r = status.replaced_by
        successor = DocumentRef(series=r.series, number=r.number, issued_on=r.issued_on, reason=r.reason,
                                duplicate_no=(0 if duplicate is None else duplicate.duplicate_no) + 1)
        return replace(base, code=StatusCode.REPLACED, replaced_by=successor, reason=r.reason)
    if revision < status.current_revision:
        assert status.corrected_on is not None
        return replace(base, code=StatusCode.CORRECTED, changed_at=_midnight(status.corrected_on))
    return replace(base, code=StatusCode.DUPLICATE_VALID) if duplicate is not None else base


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def load_status_lists(folder: Path, *, trust_list: TrustList, at: dt.datetime,
                      state: VersionState | None = None) -> tuple[StatusListLookup, list[StatusListError]]:
    """Verify every `<series>.cose` in a folder (what `verify sync` writes) into a `StatusListLookup`.

    A refused list is left out (its series then answers AUTHENTIC_STATUS_UNKNOWN) and its error returned,
    so that one expired list never stops the others.

    Returns:
        (the lookup over the accepted lists, the errors of the refused ones, each naming its file).

    Raises:
        StatusListError: the folder cannot be read.
        VersionStateError: the state cannot be read or written.
    """
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix == STATUS_LIST_SUFFIX and p.is_file())
    except OSError as exc:
        raise StatusListError(f"{folder}: cannot read the status lists ({exc.strerror})") from None
    accepted: list[StatusList] = []
    refused: list[StatusListError] = []
    for path in paths:
        try:
            data = path.read_bytes()
            accepted.append(verify_status_list(data, trust_list=trust_list, at=at, series=path.stem, state=state))
        except StatusListError as exc:
            refused.append(StatusListError(f"{path.name}: {exc.message}"))
        except OSError as exc:
            refused.append(StatusListError(f"{path.name}: cannot read ({exc.strerror})"))
    return StatusListLookup(accepted), refused
