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

The registry also says where the record's revision entry is in the transparency log (`LogEvidence`, step 12).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from . import texts
from .errors import RecordError
from .record import Record
from .texts import ENGLISH, Text, rfc3339


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
    NOT_IN_LOG = "NOT_IN_LOG"


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
class Closure:
    """The document's institution closed; an archive keeps its records (seed 000, Rules item 23).

    Attributes:
        closed_on: the day the institution closed.
        archive_bin: the BIN of the institution that keeps its records (where the holder applies for a duplicate
            or a correction).
        archive: the archive's names, when the source read them.
    """

    closed_on: dt.date
    archive_bin: str
    archive: InstitutionNames | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form: {"closed_on", "archive": {"bin", "name_kk", "name_ru", "name_en"}} (names null if unread)."""
        names = self.archive
        return {"closed_on": self.closed_on.isoformat(),
                "archive": {"bin": self.archive_bin, "name_kk": None if names is None else names.kk,
                            "name_ru": None if names is None else names.ru,
                            "name_en": None if names is None else names.en}}


@dataclass(frozen=True, slots=True)
class LogEvidence:
    """What a status source says about the record's entry in the transparency log (step 12; docs/TRANSPARENCY.md).

    Attributes:
        leaf_index: the leaf index of the record's revision entry; None: the log holds no entry for it (NOT_IN_LOG).
        leaf_hash: the entry's RFC 9162 leaf hash as the log holds it (32 bytes), when known.
        tree_size, proof: an inclusion proof of the leaf in the tree of `tree_size` leaves (RFC 9162 §2.1.3.1);
            0 and () when none was given (no checkpoint covers the entry yet, or the source did not read it).
        checkpoint: the signed checkpoint note (C2SP tlog-checkpoint) of `tree_size`, or None.
    """

    leaf_index: int | None
    leaf_hash: bytes | None = None
    tree_size: int = 0
    proof: tuple[bytes, ...] = ()
    checkpoint: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form: hashes in lower-case hex."""
        return {"leaf_index": self.leaf_index, "leaf_hash": None if self.leaf_hash is None else self.leaf_hash.hex(),
                "tree_size": self.tree_size, "proof": [h.hex() for h in self.proof], "checkpoint": self.checkpoint}

    @classmethod
    def from_json(cls, value: object) -> LogEvidence:
        """Read the JSON of `verify log prove --json` (or of `to_json`, or the partner API's `log`).

        Raises:
            RecordError: not an object of that shape (the message names the field).
        """
        if not isinstance(value, dict):
            raise RecordError("log proof: must be a JSON object")
        index, size, proof, checkpoint = (value.get("leaf_index"), value.get("tree_size", 0), value.get("proof", []),
                                          value.get("checkpoint"))
        if index is not None and (type(index) is not int or index < 0):
            raise RecordError("log proof: leaf_index must be a non-negative integer or null")
        if type(size) is not int or size < 0:
            raise RecordError("log proof: tree_size must be a non-negative integer")
        if checkpoint is not None and not isinstance(checkpoint, str):
            raise RecordError("log proof: checkpoint must be the signed note text or null")
        leaf = value.get("leaf_hash")
        if not isinstance(proof, list) or not all(isinstance(h, str) for h in proof) or \
                not (leaf is None or isinstance(leaf, str)):
            raise RecordError("log proof: proof and leaf_hash must be hex text")
        try:
            hashes = tuple(bytes.fromhex(h) for h in proof)
            leaf_hash = None if leaf is None else bytes.fromhex(leaf)
        except ValueError:
            raise RecordError("log proof: hashes must be hex") from None
        return cls(leaf_index=index, leaf_hash=leaf_hash, tree_size=size, proof=hashes, checkpoint=checkpoint)


class DecodedRecord(NamedTuple):
    """What a verifier's steps 3-7 read from the presented COSE_Sign1 bytes, handed to step 12 so that the log entry
    is built without parsing them again (docs/FORMAT.md §7.1; issue 16 item 2).

    Attributes:
        record: the record of the payload (`verify.codec.decode_payload`).
        signed_at: its signing time (aware UTC, whole seconds).
        kid: the key id of the COSE header (8 bytes).
    """

    record: Record
    signed_at: dt.datetime
    kid: bytes


class LogCheck(Protocol):
    """Checks step 12 cryptographically (`verify.transparency.inclusion.TrustListLogCheck`): the verifier hands it
    the presented COSE bytes and the source's `LogEvidence`; it rebuilds the entry, compares its leaf hash and, with
    a proof, verifies it against a checkpoint signed by a log key of the trust list."""

    def check(self, *, cose: bytes, evidence: LogEvidence, decoded: DecodedRecord | None = None) -> Text:
        """The passed step's sentence (`verify.texts.Text`: shown in the reader's language).

        `decoded` is what the verifier already read from `cose` (steps 3-7), so that the entry is built without
        parsing the COSE structure and the payload a second time; without it the check decodes `cose` itself.

        Raises:
            NotInLogError: the entry is not this record's, or the proof or checkpoint does not verify.
        """
        ...


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
        log: the record's entry in the transparency log (step 12), or None when the source does not consult the
            log (a signed status list; then step 12 is not run).
        closure: the document's institution closed at or before the time of the check, and the archive that keeps
            its records (seed 000, Rules item 23), or None.

    `log` is in `to_json` as "log" only when the source gave it, `closure` as "institution_closure" likewise.
    `issued_on`, `institution` and `current_record` are for a page built in this process from the report (the
    registry is read once); they are not part of `to_json` (docs/FORMAT.md §7.3).
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
    log: LogEvidence | None = None
    closure: Closure | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (times RFC 3339)."""
        out: dict[str, Any] = {
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
        if self.log is not None:
            out["log"] = self.log.to_json()
        if self.closure is not None:
            out["institution_closure"] = self.closure.to_json()
        return out


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


def _reason_text(reason: str) -> Text | str:
    """A duplicate's reason code in words where the catalogue has it (in English: the code itself)."""
    key = f"v_duplicate_reason_{reason}"
    return texts.text(key) if key in ENGLISH else reason


def status_sentence(status: RegistryStatus) -> Text:
    """What a status source's answer says, as step 11 of the verifier reports it (docs/FORMAT.md §7.1): a
    `verify.texts.Text` in the reader's language (the verifier adds the list and its date for a status list)."""
    code = status.code
    if code is StatusCode.ORIGINAL_VALID:
        return texts.text("v_status_original")
    if code is StatusCode.DUPLICATE_VALID and status.original is not None:
        return texts.text("v_status_duplicate", n=status.duplicate_no or 0, series=status.original.series,
                    number=status.original.number)
    if code is StatusCode.REPLACED and status.replaced_by is not None:
        r = status.replaced_by
        sentence = texts.text("v_status_replaced", n=r.duplicate_no or 0, series=r.series, number=r.number) \
            if r.issued_on is None else \
            texts.text("v_status_replaced_on", n=r.duplicate_no or 0, series=r.series, number=r.number,
                       date=r.issued_on)
        if r.reason:
            sentence = texts.text("v_status_reason", sentence=sentence, reason=_reason_text(r.reason))
        end = status.in_force
        if end is not None and end != r:
            sentence = texts.text("v_status_in_force", sentence=sentence, n=end.duplicate_no or 0, series=end.series,
                            number=end.number)
        return sentence
    if code is StatusCode.CORRECTED:
        fields = ", ".join(status.changed_fields)
        return texts.text("v_status_corrected", revision=status.current_revision or 0,
                    fields=fields if fields else texts.text("v_status_see_registry"))
    if code is StatusCode.ANNULLED:
        basis = status.reason or texts.text("v_status_no_basis" if status.source == "registry"
                                      else "v_status_basis_in_registry")
        if status.annulled_at is None:
            return texts.text("v_status_annulled_undated", basis=basis)
        return texts.text("v_status_annulled", date=status.annulled_at.date(), basis=basis)
    if code is StatusCode.NOT_IN_REGISTRY:
        return texts.text("v_status_not_in_registry")
    return texts.text("v_status_other", code=code.value)
