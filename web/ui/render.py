"""HTML pages of the public surface: Jinja2 templates in `web/templates/` (autoescaped), assets in `web/static/`.

A verdict page is built from the report JSON (`VerificationReport.to_json()`), the same object the API answers
with, plus a few facts read from the registry (`RegistryFacts`): the institution's names by its BIN, the date the
presented document was issued, and, for a corrected document, the registry's current values. `build_view` turns
one report into a `VerdictView` whose every string is already in the page's language (`web.i18n`); the
template only lays it out: the verdict first (colour, icon and words), then the fields as printed, what to look at
on the paper, and the check itself. Never the IIN: neither the report nor the registry facts hold it.

Every page is sent by `page_response` with a Content-Security-Policy that allows scripts and styles only from
this origin (`/static/...`, no inline code), `Content-Language`, and the `lang` cookie when the language switch
(`?lang=`) was used. Static files are served from memory by `static_response` with a content hash in their URL
(`static_url`), so they can be cached for a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import SQLAlchemyError

from verify import Error
from verify.record import stamp_text
from verify.registry.documents import get_document, get_revision, record_of
from verify.registry.institutions import get_institution_by_bin

from ..problems.handlers import ProblemError
from ..runtime.services import Services
from .i18n import COOKIE, COOKIE_MAX_AGE_S, KAZAKHSTAN_TIME, LANGUAGES, Translator, language_from, negotiate

CONTENT_SECURITY_POLICY: Final = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Scripts, styles and requests only from this origin; no inline script or style; nothing from elsewhere."""
PAGE_VARY: Final = "Accept, Accept-Language, Cookie"
"""A page depends on the language, chosen by these headers (the `/V/` link also by Accept: page or JSON)."""
STATIC_CACHE: Final = "public, max-age=86400"
STATIC_DIR: Final = Path(__file__).parent / "static"
STATIC_TYPES: Final = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                       ".png": "image/png", ".svg": "image/svg+xml"}
"""The media types served from `web/static/`, by extension (fixed here, not from the system's mime.types)."""

TONES: Final = {"ok": "check", "warn": "alert", "bad": "cross", "info": "question"}
"""Tone of a verdict -> its icon (the verdict is told by colour, icon and words together, never colour alone)."""


# ----------------------------------------------------------------------------- static files
@dataclass(frozen=True, slots=True)
class StaticFile:
    """One file of `web/static/`, held in memory.

    Attributes:
        body: the bytes.
        media_type: by its extension.
        etag: a strong entity tag of the bytes, quoted.
    """

    body: bytes
    media_type: str
    etag: str


@cache
def static_files() -> dict[str, StaticFile]:
    """The files of `web/static/` with a type of `STATIC_TYPES`, by name (read once per process)."""
    files = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and path.suffix in STATIC_TYPES and not path.name.startswith("."):
            body = path.read_bytes()
            files[path.name] = StaticFile(body=body, media_type=STATIC_TYPES[path.suffix],
                                          etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return files


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash as a query so that a new version is fetched at once.

    Raises:
        KeyError: no such file (a programming error in a template).
    """
    return f"/static/{name}?v={static_files()[name].etag.strip(chr(34))[:12]}"


def static_response(name: str, if_none_match: str | None) -> Response:
    """A static file, cacheable for a day; 304 when If-None-Match names its tag.

    Raises:
        ProblemError: not-found, for any other name.
    """
    found = static_files().get(name)
    if found is None:
        raise ProblemError("not-found", "no static file with this name")
    headers = {"Cache-Control": STATIC_CACHE, "ETag": found.etag}
    if if_none_match and found.etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


# ----------------------------------------------------------------------------- registry facts
@dataclass(frozen=True, slots=True)
class RegistryFacts:
    """What a verdict page shows beyond the report, read from the registry.

    Attributes:
        institution_names: the issuing institution's names {"kk", "ru", "en"}, looked up by the record's BIN.
        issued_on: the date the presented document (original or duplicate) was issued.
        current: the registry's current record (the JSON shape of `Record.to_json`), for a corrected document.
    """

    institution_names: dict[str, str] | None = None
    issued_on: dt.date | None = None
    current: dict[str, Any] | None = None


def registry_facts(services: Services, report: Mapping[str, Any]) -> RegistryFacts:
    """The registry facts of an authentic record's page; empty ones when the registry cannot tell.

    Nothing is read for a report without a record (not authentic): a forged code learns nothing from the registry.
    The document row is read only when the registry holds exactly the presented signed record (VALID, CORRECTED).
    Dates are UTC dates, as `verify.registry.lookup` gives the duplicate's `issued_on`.
    """
    record = report.get("record")
    if not isinstance(record, Mapping):
        return RegistryFacts()
    names: dict[str, str] | None = None
    issued_on: dt.date | None = None
    current: dict[str, Any] | None = None
    try:
        with services.sessions() as session:
            institution = get_institution_by_bin(session=session, bin=str(record.get("institution_bin", "")))
            if institution is not None:
                names = {"kk": institution.name_kk, "ru": institution.name_ru, "en": institution.name_en}
            document = None
            if report.get("verdict") in ("VALID", "CORRECTED"):  # the registry holds exactly this signed record
                document = get_document(session=session, series=str(record.get("series", "")),
                                        number=str(record.get("number", "")))
            if document is not None:
                issued_on = document.issued_at.astimezone(dt.UTC).date()
                if report.get("verdict") == "CORRECTED":
                    current = record_of(get_revision(session=session, document=document)).to_json()
            session.rollback()
    except (Error, SQLAlchemyError):  # the page still shows the report; the BIN stands for the name
        return RegistryFacts()
    return RegistryFacts(institution_names=names, issued_on=issued_on, current=current)


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
    """One verification step for the technical details: number, localised name and outcome, English detail."""

    number: int
    name: str
    outcome: str
    state: str
    detail: str


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

    @property
    def icon(self) -> str:
        """The icon of the tone."""
        return TONES[self.tone]


def _date(t: Translator, value: object) -> str | None:
    """A date (YYYY-MM-DD), or the day of a time (RFC 3339) in Kazakhstan, in words; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return t.date(dt.date.fromisoformat(value))
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.date((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(KAZAKHSTAN_TIME).date())


def _datetime(t: Translator, value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.datetime(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))


def _full_name(holder: Mapping[str, Any]) -> str:
    return " ".join(str(holder[part]) for part in ("surname", "name", "patronymic") if holder.get(part))


def _reason(t: Translator, reason: object) -> str:
    key = f"reason_{reason}"
    return t(key) if isinstance(reason, str) and key in _REASON_KEYS else t("not_given")


_REASON_KEYS: Final = frozenset({"reason_lost", "reason_damaged", "reason_name_changed", "reason_filling_error"})
_CHANGED: Final = ("surname", "name", "patronymic", "award_date", "programme", "qualification", "honours")


def _value(t: Translator, name: str, record: Mapping[str, Any] | None) -> str:
    """A correctable field's value in a record (JSON shape), for the table of changes."""
    if record is None:
        return t("unknown")
    raw = record.get("holder", {}).get(name) if name in ("surname", "name", "patronymic") else record.get(name)
    if name == "honours":
        return t("yes") if raw else t("no")
    if name == "award_date":
        return _date(t, raw) or t("unknown")
    return str(raw) if raw not in (None, "") else "—"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stamps(t: Translator, n: object) -> str:
    """The duplicate's stamp in the page's language, then as printed in Kazakh and Russian (seed 000, item 25).

    Example (en): “Duplicate No. 1 issued instead of the original” (in Kazakh: “Түпнұсқаның орнына берілген № 1
    телнұсқа”; in Russian: “Дубликат № 1 выдан взамен оригинала”).
    """
    texts = {lang: stamp_text(n if isinstance(n, int) else 0, lang) for lang in LANGUAGES}
    opening, closing = ("“", "”") if t.lang == "en" else ("«", "»")
    others = [f"{t('stamp_in_' + lang)}: {opening}{texts[lang]}{closing}" for lang in ("kk", "ru") if lang != t.lang]
    return f"{opening}{texts[t.lang]}{closing} ({'; '.join(others)})"


def _warnings(t: Translator, report: Mapping[str, Any]) -> list[str]:
    out = []
    for text in report.get("warnings") or ():
        text = str(text)
        if text.startswith("the trust list is past its expiry date"):
            out.append(t("warning_expired"))
        elif text.endswith(" trust list: not valid for real documents"):
            out.append(t("warning_environment", environment=text.split(" trust list:", 1)[0]))
        else:
            out.append(text)
    return out


def _steps(t: Translator, report: Mapping[str, Any]) -> list[StepLine]:
    lines = []
    for step in report.get("steps") or ():
        number, outcome = int(step.get("step", 0)), str(step.get("outcome", ""))
        name = t(f"step_{number}") if 1 <= number <= 11 else str(step.get("name", ""))
        shown = t(f"outcome_{outcome}") if outcome in ("passed", "failed", "skipped") else outcome
        lines.append(StepLine(number=number, name=name, outcome=shown, state=outcome,
                              detail=str(step.get("detail", ""))))
    return lines


def _failed_step(report: Mapping[str, Any]) -> int:
    for step in report.get("steps") or ():
        if step.get("outcome") == "failed":
            return int(step.get("step", 0))
    return 0


def _headline(t: Translator, report: Mapping[str, Any],
              facts: RegistryFacts) -> tuple[str, str, str, list[str], list[Change]]:
    """(tone, headline, summary, what to look at, changes) of a report."""
    verdict = str(report.get("verdict"))
    record: Mapping[str, Any] = report.get("record") or {}
    registry: Mapping[str, Any] = report.get("registry") or {}
    duplicate: Mapping[str, Any] = record.get("duplicate") or {}
    general = t("look_general")
    signed_on = _date(t, report.get("signed_at"))
    if verdict == "VALID" and report.get("status") == "NOT_CHECKED":
        return "info", t("not_checked_h"), t("not_checked_s"), [general], []
    if verdict == "VALID" and (registry.get("code") == "DUPLICATE_VALID" or duplicate):
        n = registry.get("duplicate_no") or duplicate.get("duplicate_no") or "?"
        original: Mapping[str, Any] = registry.get("original") or {}
        series = original.get("series") or duplicate.get("original_series") or "?"
        number = original.get("number") or duplicate.get("original_number") or "?"
        issued = t.date(facts.issued_on) if facts.issued_on else signed_on or t("unknown")
        look = [t("look_duplicate", stamps=_stamps(t, n)), general]
        return ("ok", t("valid_duplicate_h", n=n),
                t("valid_duplicate_s", n=n, series=series, number=number, date=issued), look, [])
    if verdict == "VALID":
        return "ok", t("valid_original_h"), t("valid_original_s"), [general], []
    if verdict == "REPLACED":
        by: Mapping[str, Any] = registry.get("replaced_by") or {}
        n, series, number = by.get("duplicate_no") or "?", by.get("series") or "?", by.get("number") or "?"
        summary = t("replaced_s", n=n, series=series, number=number,
                    date=_date(t, by.get("issued_on")) or t("unknown"),
                    reason=_reason(t, by.get("reason") or registry.get("reason")))
        return "bad", t("replaced_h"), summary, [t("look_replaced", n=n, series=series, number=number)], []
    if verdict == "CORRECTED":
        names = [name for name in registry.get("changed_fields") or () if name in _CHANGED]
        fields = ", ".join(t(f"changed_{name}") for name in names) or t("unknown")
        summary = t("corrected_s", date=_date(t, registry.get("changed_at")) or t("unknown"), fields=fields,
                    reason=str(registry.get("reason") or t("not_given")))
        changes = [Change(label=_capitalised(t(f"changed_{name}")), printed=_value(t, name, record),
                          now=_value(t, name, facts.current)) for name in names]
        return "warn", t("corrected_h"), summary, [t("look_corrected"), general], changes
    if verdict == "ANNULLED":
        summary = t("annulled_s", date=_date(t, registry.get("annulled_at")) or t("unknown"),
                    basis=str(registry.get("reason") or t("not_given")))
        return "bad", t("annulled_h"), summary, [t("look_annulled")], []
    if verdict == "NOT_IN_REGISTRY":
        return "bad", t("not_in_registry_h"), t("not_in_registry_s"), [t("look_invalid")], []
    step = _failed_step(report)
    reason = t(f"fail_{step}") if 1 <= step <= 10 else t("fail_0")
    return "bad", t("invalid_h"), t("invalid_s", reason=reason), [t("look_invalid")], []


def build_view(report: Mapping[str, Any], t: Translator, facts: RegistryFacts | None = None) -> VerdictView:
    """The view of one report in the translator's language.

    Args:
        report: `VerificationReport.to_json()`.
        t: the page's `Translator`.
        facts: what the registry adds (`registry_facts`); None shows the BIN instead of the institution's name.
    """
    facts = facts or RegistryFacts()
    tone, headline, summary, look, changes = _headline(t, report, facts)
    fields: list[Row] = []
    record = report.get("record") if report.get("authentic") else None
    if isinstance(record, Mapping):
        bin_text = t("bin_value", bin=record.get("institution_bin", ""))
        institution = facts.institution_names.get(t.lang) if facts.institution_names else None
        fields = [
            Row(t("field_holder"), _full_name(record.get("holder") or {})),
            Row(t("field_doc_type"), t.doc_type_name(str(record.get("doc_type", "")))),
            Row(t("field_series_number"), f"{record.get('series', '')} {record.get('number', '')}"),
        ]
        duplicate = record.get("duplicate")
        if isinstance(duplicate, Mapping):
            fields.append(Row(t("field_duplicate"), t("duplicate_value", n=duplicate.get("duplicate_no"),
                                                     series=duplicate.get("original_series"),
                                                     number=duplicate.get("original_number"))))
        fields.append(Row(t("field_institution"), institution, bin_text) if institution
                      else Row(t("field_institution"), bin_text))
        fields.append(Row(t("field_programme"), str(record.get("programme", ""))))
        if record.get("qualification"):
            fields.append(Row(t("field_qualification"), str(record["qualification"])))
        fields.append(Row(t("field_award_date"), _date(t, record.get("award_date")) or str(record.get("award_date"))))
        fields.append(Row(t("field_honours"), t("yes") if record.get("honours") else t("no")))
    check: list[Row] = []
    signer = report.get("signer") if report.get("authentic") else None
    if isinstance(signer, Mapping):
        check.append(Row(t("signer"), str(signer.get("label", "")), f"{signer.get('alg', '')} {signer.get('kid', '')}"))
        check.append(Row(t("signed_at"), _datetime(t, report.get("signed_at")) or t("unknown")))
    check.append(Row(t("checked_at"), _datetime(t, report.get("checked_at")) or t("unknown")))
    if isinstance(record, Mapping):
        check.append(Row(t("revision"), str(record.get("revision", ""))))
    if report.get("trust_list_version") is not None:
        check.append(Row(t("trust_list_version"), str(report["trust_list_version"])))
    return VerdictView(verdict=str(report.get("verdict")), tone=tone, headline=headline, summary=summary,
                       changes=changes, fields=fields, look=look, check=check, steps=_steps(t, report),
                       warnings=_warnings(t, report))


# ----------------------------------------------------------------------------- rendering and responses
@cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("web.ui", "templates"), autoescape=select_autoescape(("html",)),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals["static_url"] = static_url
    return environment


def render(template: str, *, lang: str, switch_base: str = "", **context: Any) -> str:
    """A page from a template in `lang`, with the common context (`t`, `lang`, `static_url`, the switch).

    Args:
        template: a file name in `web/templates/`.
        lang: one of `web.i18n.LANGUAGES`.
        switch_base: the path the language links lead to ("" keeps the current path: `?lang=..`).
        context: the template's own values.
    """
    return _environment().get_template(template).render(t=Translator(lang), lang=lang, switch_base=switch_base,
                                                        **context)


def render_verdict(report: Mapping[str, Any], *, lang: str = "en", facts: RegistryFacts | None = None) -> str:
    """The verification page of one report, verdict first, then the printed fields to compare with the paper.

    Args:
        report: `VerificationReport.to_json()`.
        lang: the page's language.
        facts: what the registry adds (institution names, dates); None shows the BIN.

    Returns:
        The HTML document (every value escaped by the template engine).
    """
    view = build_view(report, Translator(lang), facts)
    return render("verdict.html", lang=lang, verdicts=[view], title=view.headline)


def request_language(request: Request) -> tuple[str, str | None]:
    """The page's language and, when the switch (`?lang=`) chose it, that language (to store in the cookie)."""
    switched = language_from(request.query_params.get("lang"))
    lang = negotiate(query=switched, cookie=request.cookies.get(COOKIE),
                     accept_language=request.headers.get("accept-language"))
    return lang, switched


def page_response(request: Request, html_of: Callable[[str], str], *, status_code: int = 200,
                  camera: bool = False) -> HTMLResponse:
    """Send a page in the request's language with the page headers and, after a switch, the `lang` cookie.

    Args:
        request: the request (language: `?lang=`, the cookie, Accept-Language).
        html_of: a callable `lang -> str` that renders the page.
        status_code: the HTTP status.
        camera: whether the page may use the camera (Permissions-Policy).
    """
    lang, switched = request_language(request)
    response = HTMLResponse(html_of(lang), status_code=status_code, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Content-Language": lang, "Vary": PAGE_VARY,
        "Permissions-Policy": "camera=(self)" if camera else "camera=()",
    })
    if switched is not None:
        response.set_cookie(COOKIE, switched, max_age=COOKIE_MAX_AGE_S, path="/", samesite="lax", httponly=True)
    return response


def verdict_response(request: Request, services: Services, reports: Sequence[Mapping[str, Any]], *,
                     switch_base: str = "") -> HTMLResponse:
    """The verdict page of one or more reports (a QR link, a lookup, every code of an uploaded photo).

    Args:
        request: the request (for the language).
        services: the process's services (registry facts).
        reports: `VerificationReport.to_json()` of each code, in reading order.
        switch_base: where the language links lead (pages answering a POST lead to `/scan`).
    """
    facts = [registry_facts(services, report) for report in reports]

    def html_of(lang: str) -> str:
        t = Translator(lang)
        views = [build_view(report, t, fact) for report, fact in zip(reports, facts, strict=True)]
        title = views[0].headline if len(views) == 1 else t("scan_results", count=len(views))
        return render("verdict.html", lang=lang, switch_base=switch_base, verdicts=views, title=title)

    return page_response(request, html_of)
