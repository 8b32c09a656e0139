"""The console's forms: what each form sends becomes the request the officer service takes, or a `FormError`.

A form that changes something needs its "I confirm" box ticked; a bad form comes back with its message (a message
id of the catalogue, in the reader's language) and a 4xx status, and nothing is written. A refusal of the registry
(a `verify` error) becomes a form error through the one mapping of errors to problems (`web.problems.errors`):
its problem type picks the message, and its detail is shown beside it in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from verify import Error
from verify.identifiers import iins_in_text
from verify.texts import Text

from ..problems.errors import problem_from_error
from ..problems.handlers import ProblemError
from .schemas import CorrectionRequest, DuplicateRequest, HolderNameModel

DUPLICATE_REASONS: Final = ("lost", "damaged", "name_changed", "filling_error")
NAME_FIELDS: Final = ("surname", "name", "patronymic")
_REFUSALS: Final = {"not-found": "c_error_not_found", "forbidden": "c_error_forbidden",
                    "conflict": "c_error_conflict", "document-state": "c_error_state",
                    "blank-stock": "c_error_blank_stock", "unavailable": "c_error_unavailable",
                    "signer-scope": "c_error_signer_scope"}


@dataclass(frozen=True, slots=True)
class FormError:
    """Why a form was refused: a message id of the catalogue and, from the registry, its detail (the `Text` the
    page renders in its language, or English where the refusal has none)."""

    key: str
    detail: str = ""
    status: int = 422
    text: Text | None = None


def refusal(exc: Error | ProblemError) -> FormError:
    """A refusal of the officer service (a `verify` error, or a problem) as a form error (its `Text` kept)."""
    problem = exc if isinstance(exc, ProblemError) else problem_from_error(exc)
    key = problem.message_key or _REFUSALS.get(problem.problem.slug, "c_error_refused")
    return FormError(key, str(problem.detail), problem.status_code, None if problem.message_key else problem.text)


def shown_values(values: Mapping[str, str] | None) -> dict[str, str]:
    """A refused form's typed values to show again, without any that holds an IIN (never in an answer)."""
    return {name: value for name, value in (values or {}).items() if not iins_in_text(value)}


def schema_error(exc: ValidationError) -> FormError:
    """A form's values that break the request's schema: the first field and why."""
    errors = exc.errors(include_input=False)
    if not errors:
        return FormError("c_error_fields")
    where = ".".join(str(part) for part in errors[0]["loc"])
    return FormError("c_error_fields", f"{where}: {errors[0]['msg']}")


def confirmed(value: str) -> bool:
    """Whether the form's "I confirm" box was ticked."""
    return value == "yes"


def record_values(record: Mapping[str, Any]) -> dict[str, str]:
    """The correctable values of a stored record as form text (honours "yes"/"no", dates YYYY-MM-DD)."""
    holder = record.get("holder") or {}
    values = {name: str(holder.get(name) or "") for name in NAME_FIELDS}
    values["award_date"] = str(record.get("award_date") or "")
    values["programme"] = str(record.get("programme") or "")
    values["qualification"] = str(record.get("qualification") or "")
    values["honours"] = "yes" if record.get("honours") else "no"
    return values


def duplicate_request(values: Mapping[str, str], *, confirm: str) -> DuplicateRequest | FormError:
    """The duplicate form (reason, a new name) as a request, or why not."""
    reason = values["reason"]
    surname, name, patronymic = values["surname"].strip(), values["name"].strip(), values["patronymic"].strip()
    if reason not in DUPLICATE_REASONS:
        return FormError("c_duplicate_choose_reason")
    if reason == "name_changed" and not (surname and name):
        return FormError("c_duplicate_new_name_needed")
    if not confirmed(confirm):
        return FormError("c_confirm_needed")
    try:
        new_name = None
        if surname or name or patronymic:
            new_name = HolderNameModel(surname=surname, name=name, patronymic=patronymic or None)
        return DuplicateRequest(reason=reason, new_name=new_name)  # type: ignore[arg-type]
    except ValidationError as exc:
        return schema_error(exc)


def correction_request(typed: Mapping[str, str], *, current: Mapping[str, str], current_revision: int,
                       revision: str, reason: str, confirm: str) -> CorrectionRequest | FormError:
    """The correction form as a request of the fields that differ from the current revision, or why not.

    The form names the revision it was filled from; when the document was corrected since, it is refused (409)
    rather than silently undoing the other correction.
    """
    changes: dict[str, str | bool | None] = {}
    for name, value in typed.items():
        value = value.strip()
        if name == "honours" and value not in ("yes", "no"):
            continue
        if value != current[name]:
            if name == "honours":
                changes[name] = value == "yes"
            else:
                changes[name] = (value or None) if name in ("patronymic", "qualification") else value
    if revision != str(current_revision):
        return FormError("c_correction_stale", status=409)
    if not changes:
        return FormError("c_correction_nothing")
    if not reason.strip():
        return FormError("c_reason_needed")
    if not confirmed(confirm):
        return FormError("c_confirm_needed")
    try:
        return CorrectionRequest(changes=changes, reason=reason.strip())
    except ValidationError as exc:
        return schema_error(exc)
