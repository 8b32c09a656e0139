"""HTML pages of the public surface, rendered from Jinja2 templates in `web/templates/` (autoescaped).

The page is built from the report JSON (`VerificationReport.to_json()`), the same object the API answers with,
so a template sees exactly what an API client sees. Templates are chosen by name; `render_verdict` is the one
place the verification page is rendered, so that richer (kk/ru/en) templates replace the file, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

CONTENT_SECURITY_POLICY: Final = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                                  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""The pages have no script and load nothing from elsewhere."""

HEADLINES: Final[dict[str, tuple[str, str]]] = {
    "VALID": ("ok", "Valid document"),
    "CORRECTED": ("warn", "Authentic, but the registry has corrected it since"),
    "REPLACED": ("bad", "Void: a duplicate replaced this document"),
    "ANNULLED": ("bad", "Annulled"),
    "NOT_IN_REGISTRY": ("bad", "Not in the registry: please report this document"),
}
"""Verdict -> (tone, headline) in English; any other verdict is "Not a valid document"."""
_OTHER: Final = ("bad", "Not a valid document")


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(("html",)),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_verdict(report: Mapping[str, Any]) -> str:
    """The verification page of one report, verdict first, then the printed fields to compare with the paper.

    Args:
        report: `VerificationReport.to_json()`.

    Returns:
        The HTML document (every value escaped by the template engine).
    """
    tone, headline = HEADLINES.get(str(report.get("verdict")), _OTHER)
    return _environment().get_template("verdict.html").render(report=report, tone=tone, headline=headline)
