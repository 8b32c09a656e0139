"""Verification reports from their JSON shape (docs/FORMAT.md §7.3), for the tests of the verdict page. TEST ONLY.

The page is built from the typed `VerificationReport`; the tests describe the cases they show as JSON (the
examples of the OpenAPI document, with a field changed). `report_of` builds the report those values stand for.
Records are built without the schema's checks (`unchecked`), so that a test can show the page a value the schema
refuses (markup in a name) and see it escaped anyway; the signer is a TEST ONLY key with the label and kid given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from support.keys import entry, make_signer
from verify import DocumentRef, DuplicateOf, HolderName, Record, RegistryStatus, StatusCode, Verdict
from verify.status import InstitutionNames
from verify.verifier import StepResult, VerificationReport

T = TypeVar("T")


def unchecked(cls: type[T], **values: Any) -> T:
    """An instance of a frozen dataclass with these values, its `__post_init__` checks skipped (TEST ONLY)."""
    instance = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    return instance


def _time(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def record_of(data: Mapping[str, Any]) -> Record:
    """A record with the values of its JSON form (`Record.to_json()`), unchecked."""
    holder = data["holder"]
    duplicate = data.get("duplicate")
    return unchecked(
        Record, doc_type=data["doc_type"], series=data["series"], number=data["number"],
        holder=unchecked(HolderName, surname=holder["surname"], name=holder["name"],
                         patronymic=holder.get("patronymic")),
        institution_bin=data["institution_bin"], award_date=_date(data["award_date"]), programme=data["programme"],
        qualification=data.get("qualification"), honours=bool(data.get("honours", False)),
        duplicate=None if duplicate is None else unchecked(DuplicateOf, **duplicate),
        revision=int(data.get("revision", 1)), version=1)


def _ref(data: Mapping[str, Any] | None) -> DocumentRef | None:
    if data is None:
        return None
    return DocumentRef(series=data["series"], number=data["number"], duplicate_no=data.get("duplicate_no"),
                       issued_on=_date(data.get("issued_on")), reason=data.get("reason"))


def report_of(data: Mapping[str, Any], *, institution: Mapping[str, str] | None = None) -> VerificationReport:
    """The report whose `to_json()` has these values (the registry's institution names as given).

    Args:
        data: a report's JSON (e.g. `REPORT_EXAMPLE` with a field changed).
        institution: {"kk", "ru", "en"} names the registry gives the issuing institution, or None.
    """
    registry = data.get("registry")
    status = None
    if registry is not None:
        status = RegistryStatus(
            code=StatusCode(registry["code"]), as_of=_time(registry["as_of"]) or dt.datetime.now(dt.UTC),
            original=_ref(registry.get("original")), duplicate_no=registry.get("duplicate_no"),
            replaced_by=_ref(registry.get("replaced_by")), current_revision=registry.get("current_revision"),
            changed_fields=tuple(registry.get("changed_fields") or ()), changed_at=_time(registry.get("changed_at")),
            reason=registry.get("reason"), annulled_at=_time(registry.get("annulled_at")),
            institution=None if institution is None else InstitutionNames(**institution))
    signer = None
    if data.get("signer") is not None:
        signer = entry(make_signer("report page"), label=data["signer"]["label"],
                       kid=bytes.fromhex(data["signer"]["kid"]))
    report = VerificationReport(
        verdict=Verdict(data["verdict"]), checked_at=_time(data["checked_at"]) or dt.datetime.now(dt.UTC),
        authentic=bool(data.get("authentic")), status=str(data.get("status", "NOT_CHECKED")),
        record=None if data.get("record") is None else record_of(data["record"]),
        signed_at=_time(data.get("signed_at")), signer=signer, registry=status,
        trust_list_version=data.get("trust_list_version"), environment=data.get("environment"),
        warnings=list(data.get("warnings") or ()))
    report.steps = [StepResult(s["step"], s["name"], s["outcome"], s["detail"]) for s in data.get("steps") or ()]
    return report
