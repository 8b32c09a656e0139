"""Officer scoping and the unit of work shared by the registry's services.

Every service takes the officer (an account bound to one institution, seed 001 item 7: the
persons appointed by the head's order generate numbers and QR codes, and the head answers for
it) and refuses objects of another institution. The officer comes from the account, never from
the request (DESIGN.md, Surfaces).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..errors import ConflictError, ForbiddenError
from ..texts import Text, text
from .models import Officer, OfficerRole


def officer_id(officer: Officer) -> int:
    """The officer's row id (a loaded account always has one)."""
    assert officer.id is not None, "officer is not saved"
    return officer.id


def require_writer(officer: Officer) -> None:
    """Refuse an inactive account or a viewer.

    Raises:
        ForbiddenError: the account may not change the registry.
    """
    if not officer.active:
        raise ForbiddenError(text("v_officer_inactive", username=officer.username))
    if not officer.may_write:
        raise ForbiddenError(text("v_officer_read_only", username=officer.username, role=officer.role))


def require_head(officer: Officer) -> None:
    """Refuse anyone but an active head of the institution (annulments).

    Raises:
        ForbiddenError: not an active head.
    """
    require_writer(officer)
    if officer.role != OfficerRole.HEAD.value:
        raise ForbiddenError(text("v_head_only", username=officer.username, role=officer.role))


def require_institution(officer: Officer, institution_id: int, *, what: Text) -> None:
    """Refuse an object of another institution than the officer's.

    Args:
        what: names the object in the message, e.g. `text("v_what_document", series="BD", number="0000042")`.

    Raises:
        ForbiddenError: the object belongs to another institution.
    """
    if officer.institution_id != institution_id:
        raise ForbiddenError(text("v_other_institution", what=what, username=officer.username))


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit the session's transaction when the block ends, roll it back on any exception."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def flush_or_conflict(session: Session, message: str | Text) -> None:
    """Flush the session; a unique constraint it breaks (a name taken meanwhile) is a `ConflictError(message)`."""
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(message) from None
