"""The verdict page: a `VerificationReport` as the words, colours and fields a person reads, in kk, ru or en.

`build_view(report, t)` turns one report into a `VerdictView` whose every string is already in the page's
language (`web.ui.i18n`); the template (`verdict.html`) only lays it out: the verdict first (colour, icon and
words), then the fields as printed, what to look at on the paper, and the check itself. The view is built from the
typed report, never from its JSON; what the registry adds (the institution's names, the issue date, a corrected
document's current record) comes with the report's `RegistryStatus`, read in the same statement as the status, so
a page reads the registry once. Never the IIN: neither the report nor the status holds it.

The headline is a table (`HEADLINES`): each case of a report (`case_of`) has its tone, its headline and the
builders of its summary and of what to look at on the paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from verify import Record, RegistryStatus, StatusCode, Verdict, VerificationReport
from verify.appendixcheck import AppendixReport
from verify.demo.reference import classifier_name
from verify.doctypes import get_document_type
from verify.errors import RecordError
from verify.keys import ALGORITHM_NAMES
from verify.record import stamp_text
from verify.report import NOT_CHECKED
from verify.texts import text as say
from verify.translit import latin_name

from ..problems.handlers import ProblemError
from ..ui.i18n import KAZAKHSTAN_TIME, LANGUAGES, Translator
from ..ui.render import page_response, render
from .appendixview import AppendixView, build_appendix_view

TONES: Final = {"ok": "check", "warn": "alert", "bad": "cross", "info": "question"}
"""Tone of a verdict -> its icon (the verdict is told by colour, icon and words together, never colour alone)."""
CHANGED: Final = ("surname", "name", "patronymic", "award_date", "programme", "qualification", "honours")
"""The correctable fields a page names (`verify.registry.lifecycle.CORRECTABLE_FIELDS`)."""
_REASONS: Final = frozenset({"lost", "damaged", "name_changed", "filling_error"})


# ----------------------------------------------------------------------------- the view of one report
@dataclass(frozen=True, slots=True)
class Row:
    """One term of a description list: label, value and an optional second line."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One corrected field: its name, the value on the presented code, the value now in the registry."""

    label: str
    printed: str
    now: str


@dataclass(frozen=True, slots=True)
class StepLine:
    """One verification step for the technical details: number, localised name, outcome and detail (`detail_lang`
    "en" where the step failed with an error raised in plain English, None where the detail is in the page's
    language)."""

    number: int
    name: str
    outcome: str
    state: str
    detail: str
    detail_lang: str | None = None


@dataclass(frozen=True)
class VerdictView:
    """Everything the template shows about one report, in one language.

    Attributes:
        verdict: the verdict code (VALID, REPLACED, ...), for the page's data attribute and tests.
        tone: "ok", "warn", "bad" or "info" (colour); `icon` follows from it (`TONES`).
        headline, summary: the verdict in words.
        changes: for a corrected document, each changed field.
        fields: the fields as printed (empty unless authentic).
        look: what to look at on the paper.
        check: signer, times, revision, trust list version.
        steps: the numbered steps (technical details).
        warnings: localised warnings of the report.
        appendix: the diploma's appendix (grades), checked with it, or None.
    """

    verdict: str
    tone: str
    headline: str
    summary: str
    changes: list[Change] = field(default_factory=list)
    fields: list[Row] = field(default_factory=list)
    look: list[str] = field(default_factory=list)
    check: list[Row] = field(default_factory=list)
    steps: list[StepLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    appendix: AppendixView | None = None

    @property
    def icon(self) -> str:
        """The icon of the tone."""
        return TONES[self.tone]


# ----------------------------------------------------------------------------- words of values
def _day(t: Translator, value: dt.date | dt.datetime | None) -> str:
    """A date, or the day of a time in Kazakhstan, in words; "unknown" when there is none."""
    if value is None:
        return t("unknown")
    if isinstance(value, dt.datetime):
        return t.date(value.astimezone(KAZAKHSTAN_TIME).date())
    return t.date(value)


def _moment(t: Translator, value: dt.datetime | None) -> str:
    return t("unknown") if value is None else t.datetime(value)


def _reason(t: Translator, reason: str | None) -> str:
    return t(f"reason_{reason}") if reason in _REASONS else t("not_given")


def _value(t: Translator, name: str, record: Record | None) -> str:
    """A correctable field's value in a record, for the table of changes."""
    if record is None:
        return t("unknown")
    if name in ("surname", "name", "patronymic"):
        raw: object = getattr(record.holder, name)
    else:
        raw = getattr(record, name)
    if name == "honours":
        return t("yes") if raw else t("no")
    if name == "award_date":
        return t.date(record.award_date)
    return str(raw) if raw not in (None, "") else "—"


def _stamps(t: Translator, n: int) -> str:
    """The duplicate's stamp in the page's language, then as printed in Kazakh and Russian (seed 000, item 25).

    Example (en): “Duplicate No. 1 issued instead of the original” (in Kazakh: “Түпнұсқаның орнына берілген № 1
    телнұсқа”; in Russian: “Дубликат № 1 выдан взамен оригинала”).
    """
    texts = {lang: stamp_text(n, lang) for lang in LANGUAGES}
    opening, closing = ("“", "”") if t.lang == "en" else ("«", "»")
    others = [f"{t('stamp_in_' + lang)}: {opening}{texts[lang]}{closing}" for lang in ("kk", "ru") if lang != t.lang]
    return f"{opening}{texts[t.lang]}{closing} ({'; '.join(others)})"


# ----------------------------------------------------------------------------- the headline table
def case_of(report: VerificationReport) -> str:
    """Which row of `HEADLINES` a report is."""
    if report.verdict is Verdict.VALID:
        if report.status == NOT_CHECKED:
            return "not_checked"
        duplicate = report.record is not None and report.record.duplicate is not None
        registry = report.registry
        if (registry is not None and registry.code is StatusCode.DUPLICATE_VALID) or duplicate:
            return "valid_duplicate"
        return "valid_original"
    return {Verdict.REPLACED: "replaced", Verdict.CORRECTED: "corrected", Verdict.ANNULLED: "annulled",
            Verdict.NOT_IN_REGISTRY: "not_in_registry", Verdict.NOT_IN_LOG: "not_in_log",
            Verdict.AUTHENTIC_STATUS_UNKNOWN: "status_unknown"}.get(report.verdict, "invalid")


Words = Callable[[Translator, VerificationReport], str]
Looks = Callable[[Translator, VerificationReport], list[str]]


@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline table: the tone, the headline, the summary, what to look at on the paper."""

    tone: str
    headline: Words
    summary: Words
    look: Looks


def _registry(report: VerificationReport) -> RegistryStatus:
    assert report.registry is not None, "a registry verdict has its status"
    return report.registry


def _duplicate_facts(report: VerificationReport) -> tuple[int | str, str, str]:
    """(N, the original's series, its number) of a valid duplicate, from the registry or else the record."""
    registry, record = report.registry, report.record
    duplicate = record.duplicate if record is not None else None
    original = registry.original if registry is not None else None
    n = (registry.duplicate_no if registry is not None else None) or (duplicate.duplicate_no if duplicate else None)
    series = (original.series if original else None) or (duplicate.original_series if duplicate else None)
    number = (original.number if original else None) or (duplicate.original_number if duplicate else None)
    return n or "?", series or "?", number or "?"


def _duplicate_summary(t: Translator, report: VerificationReport) -> str:
    n, series, number = _duplicate_facts(report)
    registry = report.registry
    issued = t.date(registry.issued_on) if registry is not None and registry.issued_on is not None else (
        _day(t, report.signed_at) if report.signed_at is not None else t("unknown"))
    return t("valid_duplicate_s", n=n, series=series, number=number, date=issued)


def _duplicate_look(t: Translator, report: VerificationReport) -> list[str]:
    n, _, _ = _duplicate_facts(report)
    return [t("look_duplicate", stamps=_stamps(t, n) if isinstance(n, int) else f"? ({n})"), t("look_general")]


def _replaced_by(report: VerificationReport) -> tuple[int | str, str, str]:
    by = _registry(report).replaced_by
    if by is None:
        return "?", "?", "?"
    return by.duplicate_no or "?", by.series or "?", by.number or "?"


def _replaced_look(t: Translator, report: VerificationReport) -> list[str]:
    """What to ask for: the document of the chain in force now (issue 10 item 17: after a duplicate of a duplicate
    the direct successor is void too), or that none is when the registry says the chain's last one was annulled."""
    registry = _registry(report)
    end = registry.in_force
    if end is None and registry.replaced_by is not None and registry.source == "registry":
        return [t("look_replaced_none")]
    if end is None or end == registry.replaced_by:
        return [t("look_replaced", **dict(zip(("n", "series", "number"), _replaced_by(report), strict=True)))]
    return [t("look_replaced_in_force", n=end.duplicate_no or "?", series=end.series, number=end.number)]


def _replaced_summary(t: Translator, report: VerificationReport) -> str:
    registry = _registry(report)
    n, series, number = _replaced_by(report)
    by = registry.replaced_by
    return t("replaced_s", n=n, series=series, number=number, date=_day(t, by.issued_on if by else None),
             reason=_reason(t, (by.reason if by else None) or registry.reason))


def _corrected_names(report: VerificationReport) -> list[str]:
    return [name for name in _registry(report).changed_fields if name in CHANGED]


def _corrected_summary(t: Translator, report: VerificationReport) -> str:
    registry = _registry(report)
    fields = ", ".join(t(f"changed_{name}") for name in _corrected_names(report)) or t("unknown")
    return t("corrected_s", date=_day(t, registry.changed_at), fields=fields,
             reason=str(registry.reason or t("not_given")))


def _annulled_summary(t: Translator, report: VerificationReport) -> str:
    registry = _registry(report)
    return t("annulled_s", date=_day(t, registry.annulled_at), basis=str(registry.reason or t("not_given")))


def _invalid_summary(t: Translator, report: VerificationReport) -> str:
    failed = report.failed_step
    step = failed.number if failed is not None else 0
    return t("invalid_s", reason=t(f"fail_{step}") if 1 <= step <= 10 else t("fail_0"))


def _words(key: str) -> Words:
    return lambda t, _report: t(key)


def _look_for_type(t: Translator, report: VerificationReport, look: list[str]) -> list[str]:
    """What to look at, said of the document's own number: an анықтама has a registration number, not a series
    (seed 000 appendix 37)."""
    doc_type = get_document_type(report.record.doc_type) if report.authentic and report.record else None
    if doc_type is None or doc_type.number_label is None:
        return look
    general = t("look_general")
    return [t("look_general_registered") if line == general else line for line in look]


def _looks(*keys: str) -> Looks:
    return lambda t, _report: [t(key) for key in keys]


HEADLINES: Final[dict[str, Headline]] = {
    "not_checked": Headline("info", _words("not_checked_h"), _words("not_checked_s"), _looks("look_general")),
    "valid_duplicate": Headline("ok", lambda t, r: t("valid_duplicate_h", n=_duplicate_facts(r)[0]),
                                _duplicate_summary, _duplicate_look),
    "valid_original": Headline("ok", _words("valid_original_h"), _words("valid_original_s"), _looks("look_general")),
    "replaced": Headline("bad", _words("replaced_h"), _replaced_summary, _replaced_look),
    "corrected": Headline("warn", _words("corrected_h"), _corrected_summary,
                          _looks("look_corrected", "look_general")),
    "annulled": Headline("bad", _words("annulled_h"), _annulled_summary, _looks("look_annulled")),
    "status_unknown": Headline("warn", _words("status_unknown_h"), _words("status_unknown_s"),
                               _looks("look_general")),
    "not_in_registry": Headline("bad", _words("not_in_registry_h"), _words("not_in_registry_s"),
                                _looks("look_invalid")),
    "not_in_log": Headline("bad", _words("not_in_log_h"), _words("not_in_log_s"), _looks("look_invalid")),
    "invalid": Headline("bad", _words("invalid_h"), _invalid_summary, _looks("look_invalid")),
}
"""Each case of a report (`case_of`) -> its tone, headline, summary and what to look at on the paper."""


# ----------------------------------------------------------------------------- the view
def _changes(t: Translator, report: VerificationReport) -> list[Change]:
    registry = report.registry
    current = registry.current_record if registry is not None else None
    return [Change(label=t(f"changed_{name}")[:1].upper() + t(f"changed_{name}")[1:],
                   printed=_value(t, name, report.record), now=_value(t, name, current))
            for name in _corrected_names(report)]


def _coded(t: Translator, label: str, code: str) -> Row:
    """A programme or qualification: the code and the classifier's name in the page's language beside it
    ("6B06101 — Information systems"), as the insert prints them (`verify.demo.reference.classifier_name`); the
    bare code when the name is not known."""
    name = classifier_name(code, t.lang)
    return Row(label, f"{code} — {name}") if name else Row(label, code)


def _latin(record: Record) -> str:
    """The holder's full name in Latin letters (`verify.translit`), or "" for a name outside the record's alphabet
    (a signed record never holds one; a page must not fail on one)."""
    try:
        return latin_name(record.holder).full_name
    except RecordError:
        return ""


def _fields(t: Translator, report: VerificationReport) -> list[Row]:
    record = report.record if report.authentic else None
    if record is None:
        return []
    bin_text = t("bin_value", bin=record.institution_bin)
    institution = report.registry.institution if report.registry is not None else None
    doc_type = get_document_type(record.doc_type)
    fields = [Row(t("field_holder"), record.holder.full_name)]
    if t.lang == "en" and (latin := _latin(record)):  # a reader abroad: the passport's Latin letters (issue 17)
        fields.append(Row(t("field_holder_latin"), latin, t("holder_latin_note")))
    fields.append(Row(t("field_doc_type"), t.doc_type_name(record.doc_type)))
    fields.append(Row(*t.number_term(record.doc_type, record.series, record.number)))  # the анықтама: its reg. No.
    if record.duplicate is not None:
        fields.append(Row(t("field_duplicate"), t("duplicate_value", n=record.duplicate.duplicate_no,
                                                 series=record.duplicate.original_series,
                                                 number=record.duplicate.original_number)))
    fields.append(Row(t("field_institution"), institution.get(t.lang), bin_text) if institution
                  else Row(t("field_institution"), bin_text))
    closure = report.registry.closure if report.registry is not None else None
    if closure is not None:  # seed 000, Rules item 23: the holder applies to the archive that keeps its records
        keeper = closure.archive.get(t.lang) if closure.archive is not None else t("bin_value", bin=closure.archive_bin)
        fields.append(Row(t("field_closure"), t("closure_value", date=t.date(closure.closed_on), archive=keeper),
                          t("bin_value", bin=closure.archive_bin)))
    fields.append(_coded(t, t("field_programme"), record.programme))
    if record.qualification:
        fields.append(_coded(t, t("field_qualification"), record.qualification))
    if doc_type is not None and doc_type.level == "any":  # the анықтама: its issue date, no honours (seed 000 app. 37)
        fields.append(Row(t("field_issue_date"), t.date(record.award_date)))
        return fields
    fields.append(Row(t("field_award_date"), t.date(record.award_date)))
    fields.append(Row(t("field_honours"), t("yes") if record.honours else t("no")))
    return fields


def _check(t: Translator, report: VerificationReport) -> list[Row]:
    check: list[Row] = []
    signer = report.signer if report.authentic else None
    if signer is not None:
        check.append(Row(t("signer"), t.text(say("v_signer_desc", start=signer.usage_from.date(),
                                                  end=signer.usage_until.date())),
                         f"{ALGORITHM_NAMES[signer.alg]} {signer.kid.hex()}"))
        check.append(Row(t("signed_at"), _moment(t, report.signed_at)))
    check.append(Row(t("checked_at"), _moment(t, report.checked_at)))
    if report.authentic and report.record is not None:
        check.append(Row(t("revision"), str(report.record.revision)))
    if report.trust_list_version is not None:
        check.append(Row(t("trust_list_version"), str(report.trust_list_version)))
    return check


def _warnings(t: Translator, report: VerificationReport) -> list[str]:
    out = []
    for text in report.warnings:
        if text.startswith("the trust list is past its expiry date"):
            out.append(t("warning_expired"))
        elif text.endswith(" trust list: not valid for real documents"):
            out.append(t("warning_environment", environment=text.split(" trust list:", 1)[0]))
        else:
            out.append(text)
    return out


def _steps(t: Translator, report: VerificationReport) -> list[StepLine]:
    return [StepLine(number=step.number, name=t(f"step_{step.number}") if 1 <= step.number <= 12 else step.name,
                     outcome=t(f"outcome_{step.outcome}") if step.outcome in ("passed", "failed", "skipped")
                     else step.outcome, state=step.outcome,
                     detail=t.text(step.text) if step.text is not None else step.detail,
                     detail_lang=None if step.text is not None else "en")
            for step in report.steps]


def build_view(report: VerificationReport, t: Translator, appendix: AppendixReport | None = None) -> VerdictView:
    """The view of one report in the translator's language (its headline from `HEADLINES`), with its checked
    appendix (`web.public.appendixview`) when it has one."""
    row = HEADLINES[case_of(report)]
    changes = _changes(t, report) if case_of(report) == "corrected" else []
    return VerdictView(verdict=str(report.verdict), tone=row.tone, headline=row.headline(t, report),
                       summary=row.summary(t, report), changes=changes, fields=_fields(t, report),
                       look=_look_for_type(t, report, row.look(t, report)), check=_check(t, report),
                       steps=_steps(t, report), warnings=_warnings(t, report),
                       appendix=None if appendix is None else build_appendix_view(t, appendix))


def render_verdict(report: VerificationReport, *, lang: str = "en") -> str:
    """The verification page of one report, verdict first, then the printed fields to compare with the paper.

    Returns:
        The HTML document (every value escaped by the template engine).
    """
    view = build_view(report, Translator(lang))
    return render("verdict.html", lang=lang, verdicts=[view], title=view.headline)


def verdict_response(request: Request, reports: Sequence[VerificationReport], *, switch_base: str = "",
                     appendices: Sequence[AppendixReport | None] = ()) -> HTMLResponse:
    """The verdict page of one or more reports (a QR link, a lookup, every code of an uploaded photo).

    Args:
        request: the request (for the language).
        reports: the report of each code, in reading order.
        switch_base: where the language links lead (pages answering a POST lead to `/scan`).
        appendices: the checked appendix of each report, or None (`appendixview.check_for_page`).
    """
    checked = list(appendices) + [None] * (len(reports) - len(appendices))

    def html_of(lang: str) -> str:
        t = Translator(lang)
        views = [build_view(report, t, appendix) for report, appendix in zip(reports, checked, strict=True)]
        title = views[0].headline if len(views) == 1 else t("scan_results", count=len(views))
        return render("verdict.html", lang=lang, switch_base=switch_base, verdicts=views, title=title)

    return page_response(request, html_of)


def unavailable_page(request: Request, problem: ProblemError) -> HTMLResponse:
    """The page of a verification that could not ask the registry (503, its Retry-After): no verdict, try again."""

    def html_of(lang: str) -> str:
        return render("unavailable.html", lang=lang, title=Translator(lang)("unavailable_title"))

    page = page_response(request, html_of, status_code=problem.status_code)
    page.headers.update({"Retry-After": (problem.headers or {}).get("Retry-After", "30")})
    return page
