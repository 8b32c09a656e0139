"""The appendix (transcript) under a verdict: read from the registry, checked against the diploma, shown in kk/ru/en.

For a VALID diploma the page shows the grades of the signed appendix that names the diploma's revision
(`verify.registry.appendixsigning.appendix_for_revision`), after checking it with the appendix steps 1-10 against
the very QR text that was verified (`verify.appendixcheck.check_appendix`, docs/FORMAT.md §10.5): an appendix that
fails is shown as failed, with its step, never as grades. Subject names are shown in the page's language where the
appendix gives one (Kazakh and Russian always, English where imported), the grade in each of its forms (letter,
points, percent, five-point word; seed 000 appendix 37 annex 2), and the totals with the five-point average
(seed 002 item 61) and the GPA.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verify import Verdict, VerificationReport
from verify.appendix import Appendix, AppendixItem
from verify.appendixcheck import AppendixReport, check_appendix
from verify.registry.appendixsigning import appendix_for_revision

from ..deps import utcnow
from ..problems.errors import DATABASE_UNAVAILABLE, UNREADABLE_REGISTRY, verification_unavailable
from ..runtime.services import Services
from ..ui.i18n import Translator


@dataclass(frozen=True, slots=True)
class AppendixRow:
    """One row of the table: kind, code, name, hours, credits and the grade, as text in the page's language."""

    kind: str
    code: str
    name: str
    hours: str
    credits: str
    grade: str


@dataclass(frozen=True)
class AppendixView:
    """The appendix part of a verdict page.

    Attributes:
        ok: the appendix verified with the diploma; otherwise `failure` says which step failed.
        rows: the rows (empty when not ok).
        totals: (label, value) lines under the table.
        note: revision or duplicate of the appendix alone, when it has one.
    """

    ok: bool
    rows: list[AppendixRow] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    failure: str = ""


def check_for_page(services: Services, report: VerificationReport, qr_text: str) -> AppendixReport | None:
    """The check of the appendix of a VALID diploma's revision, or None (no appendix, or not VALID).

    Raises:
        ProblemError: 503 when the registry cannot be read (never a page without it silently).
    """
    record = report.record
    if report.verdict != Verdict.VALID or record is None:
        return None
    try:
        with services.public_sessions() as session:
            row = appendix_for_revision(session, series=record.series, number=record.number,
                                        revision=record.revision)
            session.commit()
    except (*UNREADABLE_REGISTRY, *DATABASE_UNAVAILABLE):
        raise verification_unavailable() from None
    if row is None:
        return None
    return check_appendix(row.cose, diploma_text=qr_text, trust_list=services.trust.current().trust_list,
                          at=utcnow(), accepted_prefixes=(services.prefix,))


def _name(t: Translator, item: AppendixItem) -> str:
    names = item.names
    return names.get(t.lang) or names.get("kk") or names.get("ru") or next(iter(names.values()))


def _rows(t: Translator, appendix: Appendix) -> list[AppendixRow]:
    return [AppendixRow(kind=t(f"apx_kind_{item.kind.label}"), code=item.code or "", name=_name(t, item),
                        hours="" if item.hours is None else str(item.hours),
                        credits="" if item.credits is None else f"{item.credits:g}",
                        grade=item.grade.describe((t.lang,)))
            for item in appendix.items]


def build_appendix_view(t: Translator, checked: AppendixReport) -> AppendixView:
    """The view of a checked appendix in the translator's language."""
    appendix = checked.appendix
    if checked.verdict != "VALID" or appendix is None:
        failed = next((s for s in checked.steps if s.outcome == "failed"), None)
        detail = checked.verdict if failed is None else \
            f"{failed.number}. {(failed.text and t.text(failed.text)) or failed.detail}"
        return AppendixView(ok=False, failure=t("apx_failed", detail=detail))
    totals = appendix.totals_computed()
    lines: list[tuple[str, str]] = []
    if totals.hours is not None:
        lines.append((t("apx_total_hours"), str(totals.hours)))
    if totals.credits is not None:
        lines.append((t("apx_total_credits"), f"{totals.credits:g}"))
    if totals.gpa is not None:
        lines.append((t("apx_gpa"), f"{totals.gpa:.2f}"))
    average = appendix.five_point_average()
    if average is not None:
        lines.append((t("apx_average"), f"{average:.2f}"))
    if (ended := appendix.studies_ended) is not None:  # the анықтама's annex (seed 000 appendix 37, key 10)
        lines.append((t("apx_studies_ended"), t("apx_studies_ended_value", reason=ended.reason,
                                                 order=ended.order_number, date=t.date(ended.order_date))))
        if ended.studied_from is not None or ended.studied_until is not None:
            lines.append((t("apx_studied"), " – ".join(t.date(d) if d is not None else "…"
                                                       for d in (ended.studied_from, ended.studied_until))))
    notes = []
    if appendix.revision > 1:
        notes.append(t("apx_revision", revision=appendix.revision))
    if appendix.duplicate_no is not None:
        notes.append(t("apx_duplicate", n=appendix.duplicate_no))
    return AppendixView(ok=True, rows=_rows(t, appendix), totals=lines, note=" · ".join(notes))
