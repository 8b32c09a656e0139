"""Request and response shapes of the public API, with the examples the OpenAPI document shows.

Request models validate what comes in (unknown members refused, lengths capped). Response models describe what
goes out for the OpenAPI document; the answers themselves are `VerificationReport.to_json()` (docs/FORMAT.md
§7.3) sent as is, so the core stays the one source of the report's shape (tests check that every answer fits
these models).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from verify import StatusCode, Verdict

MAX_QR_TEXT_CHARS: Final = 2000

_STEP_NAMES: Final = ("unprefix", "digits", "cose", "kid", "signature", "chain", "payload", "usage_period",
                      "revocation", "scope", "registry", "log")
_VALID_STEPS: Final = [
    {"step": 1, "name": "unprefix", "outcome": "passed", "detail": "prefix HTTPS://V.EDU.KZ/V/"},
    {"step": 2, "name": "digits", "outcome": "passed", "detail": "473 digits, 196 bytes"},
    {"step": 3, "name": "cose", "outcome": "passed", "detail": "COSE_Sign1, EdDSA, kid 0b616e3d385d0fea"},
    {"step": 4, "name": "kid", "outcome": "passed", "detail": "1 candidate signer(s) with kid 0b616e3d385d0fea"},
    {"step": 5, "name": "signature", "outcome": "passed", "detail": "signature verified by document signer 2026-06-30"},
    {"step": 6, "name": "chain", "outcome": "passed", "detail": "signer certificate issued by the root"},
    {"step": 7, "name": "payload", "outcome": "passed", "detail": "BD BD 0000042, revision 1"},
    {"step": 8, "name": "usage_period", "outcome": "passed",
     "detail": "signed at 2026-07-01T09:00:00Z, within the signer's usage period"},
    {"step": 9, "name": "revocation", "outcome": "passed", "detail": "not revoked"},
    {"step": 10, "name": "scope", "outcome": "passed", "detail": "series BD in the signer's scope"},
    {"step": 11, "name": "registry", "outcome": "passed",
     "detail": "the registry holds this original and it is in force"},
    {"step": 12, "name": "log", "outcome": "passed",
     "detail": "logged as entry 41 of the transparency log"},
]
REPORT_EXAMPLE: Final[dict[str, Any]] = {
    "verdict": "VALID",
    "message": "VALID: authentic; registry status ORIGINAL_VALID",
    "authentic": True,
    "status": "ORIGINAL_VALID",
    "checked_at": "2026-07-04T09:00:00Z",
    "trust_list_version": 1,
    "environment": "production",
    "steps": _VALID_STEPS,
    "warnings": [],
    "record": {
        "doc_type": "BD", "series": "BD", "number": "0000042",
        "holder": {"surname": "Әбдірахманова", "name": "Гүлнұр", "patronymic": "Серікқызы"},
        "institution_bin": "040140001236", "award_date": "2026-06-30", "programme": "6B06101",
        "honours": True, "revision": 1,
    },
    "signed_at": "2026-07-01T09:00:00Z",
    "signer": {"kid": "0b616e3d385d0fea", "label": "document signer 2026-06-30", "alg": "EdDSA"},
    "registry": {
        "code": "ORIGINAL_VALID", "as_of": "2026-07-04T09:00:00Z", "original": None, "duplicate_no": None,
        "replaced_by": None, "in_force": None, "current_revision": 1, "changed_fields": [], "changed_at": None,
        "reason": None, "annulled_at": None,
        "log": {"leaf_index": 41, "leaf_hash": "9f0e6d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a19080f7e6d5c4b3a29181",
                "tree_size": 0, "proof": [], "checkpoint": None},
    },
}
"""A VALID report of an original in force, as `VerificationReport.to_json()` writes it."""

MALFORMED_EXAMPLE: Final[dict[str, Any]] = {
    "verdict": "MALFORMED",
    "message": "MALFORMED: step 2 (digits) failed: digits: the number must start with the 0x01 marker byte",
    "authentic": False,
    "status": "NOT_CHECKED",
    "checked_at": "2026-07-04T09:00:00Z",
    "trust_list_version": 1,
    "environment": "production",
    "steps": [
        {"step": 1, "name": "unprefix", "outcome": "passed", "detail": "prefix HTTPS://V.EDU.KZ/V/"},
        {"step": 2, "name": "digits", "outcome": "failed",
         "detail": "digits: the number must start with the 0x01 marker byte"},
        *({"step": n, "name": _STEP_NAMES[n - 1], "outcome": "skipped", "detail": "not run after a failure"}
          for n in range(3, 12)),
    ],
    "warnings": [],
    "record": None,
    "signed_at": None,
    "signer": None,
    "registry": None,
}
"""A report of a text that is not a record of the format (the verdict of any garbage)."""


class VerifyRequest(BaseModel):
    """`POST /api/v1/verify`: one QR text, as a scanner read it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"qr_text": "HTTPS://V.EDU.KZ/V/1886516172930311932827611188199957592079253693763327193766079..."}]})

    qr_text: str = Field(max_length=MAX_QR_TEXT_CHARS, description="the QR text: HTTPS://HOST/V/ and the digits")


class LookupRequest(BaseModel):
    """`POST /api/v1/lookup`: a document by its series and number, confirmed by the holder's surname."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"series": "BD", "number": "0000042", "surname": "Әбдірахманова"}]})

    series: str = Field(min_length=1, max_length=8, description="the series as printed, e.g. BD or ЖБ")
    number: str = Field(min_length=1, max_length=16, description="the seven digits as printed; spaces or hyphens "
                        "between groups and missing leading zeros are accepted (verify.matching.parse_number)")
    surname: str = Field(min_length=1, max_length=100,
                         description="the holder's surname as printed (compared folded: case, Kazakh letters as "
                                     "their Russian look-alikes, Latin look-alikes as Cyrillic; verify.matching.fold)")


class StepModel(BaseModel):
    """One numbered verification step (docs/FORMAT.md §7.1)."""

    step: int = Field(ge=1, le=12)
    name: str
    outcome: Literal["passed", "failed", "skipped"]
    detail: str


class HolderModel(BaseModel):
    """The holder's name exactly as printed."""

    surname: str
    name: str
    patronymic: str | None = None


class DuplicateModel(BaseModel):
    """For a duplicate: its N and the original it was issued instead of."""

    duplicate_no: int
    original_series: str
    original_number: str


class RecordModel(BaseModel):
    """The signed record (docs/FORMAT.md §3): the fields to compare with the paper. Never an IIN."""

    doc_type: str
    series: str
    number: str
    holder: HolderModel
    institution_bin: str
    award_date: str
    programme: str
    qualification: str | None = None
    honours: bool
    revision: int
    duplicate: DuplicateModel | None = None


class ReportSignerModel(BaseModel):
    """The document signer that verified the signature."""

    kid: str
    label: str
    alg: str


class DocumentRefModel(BaseModel):
    """Another document named in a registry status."""

    series: str
    number: str
    duplicate_no: int | None
    issued_on: str | None
    reason: str | None


class LogEvidenceModel(BaseModel):
    """The record's entry in the transparency log (`verify.status.LogEvidence`; docs/TRANSPARENCY.md)."""

    leaf_index: int | None = Field(description="None: the log has no entry for this record (NOT_IN_LOG)")
    leaf_hash: str | None
    tree_size: int
    proof: list[str]
    checkpoint: str | None


class ArchiveModel(BaseModel):
    """The institution that keeps a closed institution's records (seed 000, Rules item 23)."""

    bin: str
    name_kk: str | None
    name_ru: str | None
    name_en: str | None


class ClosureModel(BaseModel):
    """The document's institution closed; where its records are kept (`verify.status.Closure`)."""

    closed_on: str = Field(description="the day it closed, YYYY-MM-DD")
    archive: ArchiveModel


class RegistryModel(BaseModel):
    """The registry's answer about the signed record (`verify.status.RegistryStatus`)."""

    code: StatusCode
    as_of: str
    original: DocumentRefModel | None
    duplicate_no: int | None
    replaced_by: DocumentRefModel | None
    in_force: DocumentRefModel | None = Field(
        default=None, description="for REPLACED: the document of its duplicate chain in force now (a later "
                                  "duplicate when the one that replaced it was replaced too); null when the chain's "
                                  "last document is annulled or the status source does not know the chain")
    current_revision: int | None
    changed_fields: list[str]
    changed_at: str | None
    reason: str | None
    annulled_at: str | None
    log: LogEvidenceModel | None = None
    institution_closure: ClosureModel | None = Field(
        default=None, description="present when the document's institution closed: the day, and the archive that "
                                  "keeps its records (where the holder applies for a duplicate or a correction)")


class ReportModel(BaseModel):
    """A verification report (docs/FORMAT.md §7.3). Only the verdict VALID means "a valid document"."""

    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE, MALFORMED_EXAMPLE]})

    verdict: Verdict = Field(description="VALID, CORRECTED, REPLACED, ANNULLED, NOT_IN_REGISTRY, MALFORMED, ...")
    message: str
    authentic: bool
    status: StatusCode | Literal["NOT_CHECKED"] = Field(description="NOT_CHECKED or the registry's status code")
    checked_at: str
    trust_list_version: int | None
    environment: str | None
    steps: list[StepModel]
    warnings: list[str]
    record: RecordModel | None = Field(description="only when authentic")
    signed_at: str | None
    signer: ReportSignerModel | None
    registry: RegistryModel | None


class ScanResultsModel(BaseModel):
    """`POST /api/v1/scan`: a report for each QR code in the picture, top to bottom, left to right."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [REPORT_EXAMPLE]}]})

    results: list[ReportModel]


class TrustListInfo(BaseModel):
    """The trust list the service verifies with."""

    version: int
    environment: str
    issued_at: str
    expires_at: str
    expired: bool


HEALTH_EXAMPLE: Final[dict[str, Any]] = {
    "status": "ok", "database": "ok", "rate_limit_storage": "ok",
    "trust_list": {"version": 3, "environment": "production", "issued_at": "2026-07-01T00:00:00Z",
                   "expires_at": "2026-07-31T00:00:00Z", "expired": False},
    "scan_pool": {"workers": 2, "busy": 0, "waiting": 0}}


class HealthModel(BaseModel):
    """`GET /healthz` when the service can verify."""

    model_config = ConfigDict(json_schema_extra={"examples": [HEALTH_EXAMPLE]})

    status: Literal["ok"]
    database: Literal["ok"]
    rate_limit_storage: Literal["ok", "unavailable"]
    trust_list: TrustListInfo
    scan_pool: dict[str, int]


class PingModel(BaseModel):
    """`GET /api/v1/ping`: the process answers (liveness; nothing else is looked at)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ok": True}]})

    ok: Literal[True]
