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
        raise ForbiddenError(f"officer {officer.username} is deactivated")
    if not officer.may_write:
        raise ForbiddenError(f"officer {officer.username} ({officer.role}) may not change the registry")


def require_head(officer: Officer) -> None:
    """Refuse anyone but an active head of the institution (annulments).

    Raises:
        ForbiddenError: not an active head.
    """
    require_writer(officer)
    if officer.role != OfficerRole.HEAD.value:
        raise ForbiddenError(f"only the head of the institution may do this; {officer.username} is {officer.role}")


def require_institution(officer: Officer, institution_id: int, *, what: str) -> None:
    """Refuse an object of another institution than the officer's.

    Args:
        what: names the object in the message, e.g. "document BD 0000042".

    Raises:
        ForbiddenError: the object belongs to another institution.
    """
    if officer.institution_id != institution_id:
        raise ForbiddenError(f"{what} belongs to another institution than officer {officer.username}'s")


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit the session's transaction when the block ends, roll it back on any exception."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush the session; a unique constraint it breaks (a name taken meanwhile) is a `ConflictError(message)`."""
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(message) from None
