"""Registry status: the small interface through which the verifier learns a document's life.

The verifier never imports the registry (DESIGN.md, One picture). It asks a `StatusLookup`
— the registry implements it; signed status lists do offline (`verify.statuslookup.StatusListLookup`,
which raises `StatusUnknownError` for a series without a fresh list); tests pass in-memory fakes; a
verifier given none says "authentic; status not checked" (or, with `status_required`,
AUTHENTIC_STATUS_UNKNOWN).

Statuses follow the lifecycle of DESIGN.md (Registry and lifecycle) and the legal texts:
    * ORIGINAL_VALID   the original, in force.
    * DUPLICATE_VALID  duplicate No. N, issued instead of a named original (seed 000, item 25).
    * REPLACED         a duplicate replaced this document; it is void (seed 000, item 21).
    * CORRECTED        the presented revision is older than the registry's current one
                       (seed 000, appendix 38; seed 001, appendix 18): authentic, data changed.
    * ANNULLED         final, with its basis.
    * NOT_IN_REGISTRY  the signature is good but the registry does not hold this signed record.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Protocol

from .record import Record
from .texts import rfc3339


class StatusCode(enum.StrEnum):
    """The registry's answer about one signed record."""

    ORIGINAL_VALID = "ORIGINAL_VALID"
    DUPLICATE_VALID = "DUPLICATE_VALID"
    REPLACED = "REPLACED"
    CORRECTED = "CORRECTED"
    ANNULLED = "ANNULLED"
    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"


class Verdict(enum.StrEnum):
    """The verdict of a check (docs/FORMAT.md §7.2). Only VALID means "this paper is a valid document".

    An authentic record gets VALID, CORRECTED, REPLACED, ANNULLED or NOT_IN_REGISTRY from the status source's
    `StatusCode`, or AUTHENTIC_STATUS_UNKNOWN when no source can tell; a failed step gets the code of its
    `verify.errors.VerificationError`.
    """

    VALID = "VALID"
    CORRECTED = "CORRECTED"
    REPLACED = "REPLACED"
    ANNULLED = "ANNULLED"
    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"
    AUTHENTIC_STATUS_UNKNOWN = "AUTHENTIC_STATUS_UNKNOWN"
    MALFORMED = "MALFORMED"
    UNKNOWN_SIGNER = "UNKNOWN_SIGNER"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    UNTRUSTED_SIGNER = "UNTRUSTED_SIGNER"
    SIGNER_OUT_OF_PERIOD = "SIGNER_OUT_OF_PERIOD"
    SIGNER_REVOKED = "SIGNER_REVOKED"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """Another document named in a status: series, number and, for a duplicate, its N.

    Attributes:
        series, number: as printed.
        duplicate_no: N for a duplicate, else None.
        issued_on: the date it was issued, or None.
        reason: for a duplicate, why it was issued: "lost", "damaged", "name_changed",
            "filling_error" (seed 000 item 21; seed 003 item 9), else None.
    """

    series: str
    number: str
    duplicate_no: int | None = None
    issued_on: dt.date | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "series": self.series,
            "number": self.number,
            "duplicate_no": self.duplicate_no,
            "issued_on": None if self.issued_on is None else self.issued_on.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class InstitutionNames:
    """The issuing institution's names as the registry holds them (Kazakh, Russian, English)."""

    kk: str
    ru: str
    en: str

    def get(self, language: str) -> str:
        """The name in "kk", "ru" or "en".

        Raises:
            KeyError: another language.
        """
        return {"kk": self.kk, "ru": self.ru, "en": self.en}[language]


@dataclass(frozen=True, slots=True)
class RegistryStatus:
    """What the registry says about one signed record, as of `as_of`.

    Attributes:
        code: `StatusCode`.
        as_of: when the registry answered (aware UTC).
        original: for DUPLICATE_VALID (and a replaced duplicate), the original it replaced.
        duplicate_no: N for a duplicate.
        replaced_by: for REPLACED, the duplicate that replaced it (with date and reason).
        in_force: for REPLACED, the document of its duplicate chain in force now: `replaced_by`, or a later
            duplicate when that one was replaced too (a duplicate of a duplicate); None when the chain's last
            document is annulled (nothing of the chain is in force) or the source does not know the chain.
        current_revision: the registry's current revision number.
        changed_fields: for CORRECTED, the record fields that differ in the current revision.
        changed_at: for CORRECTED, when the newest correction was made.
        reason: correction reason, or annulment basis.
        annulled_at: for ANNULLED.
        source: where the answer came from: "registry", or a signed status list ("signed status list BD v42",
            `verify.statuslist.StatusList.source`); reports carry it as `status_source`, with `as_of` as
            `status_as_of`.
        issued_on: the date (UTC) the presented document was issued, when the registry holds it.
        institution: the issuing institution's names, when the lookup reads them (a verdict page's facts).
        current_record: for CORRECTED, the record of the registry's current revision, when the lookup reads it.

    The last three are for a page built in this process from the report (the registry is read once); they are
    not part of `to_json` (docs/FORMAT.md §7.3).
    """

    code: StatusCode
    as_of: dt.datetime
    original: DocumentRef | None = None
    duplicate_no: int | None = None
    replaced_by: DocumentRef | None = None
    in_force: DocumentRef | None = None
    current_revision: int | None = None
    changed_fields: tuple[str, ...] = ()
    changed_at: dt.datetime | None = None
    reason: str | None = None
    annulled_at: dt.datetime | None = None
    source: str = "registry"
    issued_on: dt.date | None = None
    institution: InstitutionNames | None = None
    current_record: Record | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (times RFC 3339)."""
        return {
            "code": self.code.value,
            "as_of": rfc3339(self.as_of),
            "original": None if self.original is None else self.original.to_json(),
            "duplicate_no": self.duplicate_no,
            "replaced_by": None if self.replaced_by is None else self.replaced_by.to_json(),
            "in_force": None if self.in_force is None else self.in_force.to_json(),
            "current_revision": self.current_revision,
            "changed_fields": list(self.changed_fields),
            "changed_at": None if self.changed_at is None else rfc3339(self.changed_at),
            "reason": self.reason,
            "annulled_at": None if self.annulled_at is None else rfc3339(self.annulled_at),
        }


class StatusLookup(Protocol):
    """The registry side of verification (DESIGN.md: the verifier never imports the registry)."""

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        """The status of the signed record with this series, number and revision.

        Args:
            series, number, revision: from the verified payload.
            payload_sha256: SHA-256 of the signed payload bytes (32 bytes); the registry
                answers NOT_IN_REGISTRY unless it holds exactly this signed record.
            at: the time of the check (aware).
        """
        ...


@dataclass(frozen=True, slots=True)
class StatusQuery:
    """What step 11 asks the registry, once steps 1-10 have passed (`Verifier.begin`).

    Attributes:
        series, number, revision: from the verified payload.
        payload_sha256: SHA-256 of the signed payload bytes (32 bytes).
        at: the time of the check (aware).
    """

    series: str
    number: str
    revision: int
    payload_sha256: bytes
    at: dt.datetime

    def ask(self, lookup: StatusLookup) -> RegistryStatus:
        """`lookup.lookup(...)` with this query's fields (raises what the lookup raises)."""
        return lookup.lookup(series=self.series, number=self.number, revision=self.revision,
                             payload_sha256=self.payload_sha256, at=self.at)

    async def ask_async(self, lookup: AsyncStatusLookup) -> RegistryStatus:
        """`await lookup.lookup(...)` with this query's fields (raises what the lookup raises)."""
        return await lookup.lookup(series=self.series, number=self.number, revision=self.revision,
                                   payload_sha256=self.payload_sha256, at=self.at)


class AsyncStatusLookup(Protocol):
    """`StatusLookup` for an event loop: the same question and answer, awaited (the web service's registry)."""

    async def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
                     at: dt.datetime) -> RegistryStatus:
        """As `StatusLookup.lookup`."""
        ...
