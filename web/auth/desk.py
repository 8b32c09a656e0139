"""The console's signed-in officer of one request (`web.deps.DeskDep` builds it).

The desk holds what every console page shows and checks: the principal (its scopes decide what the officer may
change), the officer's row, the institution as the pages name it, and the CSRF token the forms carry.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify.registry.accounts import Identity
from verify.registry.institutions import get_institution
from verify.registry.models import Officer

from ..runtime.backoffice import BackOffice
from .sessions import csrf_token_for


@dataclass(frozen=True, slots=True)
class InstitutionView:
    """The officer's institution as the pages show it."""

    bin: str
    kind: str
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class Desk:
    """The signed-in officer of one request.

    Attributes:
        identity: the session's principal (what the officer service acts as).
        officer: its officer row.
        institution: the officer's institution.
        csrf: the session's CSRF token, for the forms' hidden `csrf_token` field.
    """

    identity: Identity
    officer: Officer
    institution: InstitutionView
    csrf: str

    @property
    def can_write(self) -> bool:
        """The role may change the registry (registrar, head): the scope officer:write."""
        return "officer:write" in self.identity.scopes

    @property
    def is_head(self) -> bool:
        """The head of the institution (the only one who annuls)."""
        return self.officer.role == "head"

    @property
    def college(self) -> bool:
        """A college prints on pre-numbered blanks (seed 000 items 7, 17)."""
        return self.institution.kind == "college"


@dataclass(frozen=True, slots=True)
class MinistryDesk:
    """The signed-in administrator (the ministry) of one console request.

    Attributes:
        identity: the session's principal (scope `admin`).
        csrf: the session's CSRF token, for the sign-out form.
    """

    identity: Identity
    csrf: str


def ministry_desk_of(identity: Identity, session_secret: str) -> MinistryDesk:
    """The desk of an administrator principal whose session cookie holds `session_secret`."""
    return MinistryDesk(identity=identity, csrf=csrf_token_for(session_secret))


def desk_of(office: BackOffice, identity: Identity, session_secret: str) -> Desk:
    """The desk of an officer principal (`identity.officer` set) whose session cookie holds `session_secret`."""
    officer = identity.officer
    assert officer is not None, "a desk is an officer's"
    with office.readers() as session:
        institution = get_institution(session=session, institution_id=officer.institution_id)
        view = InstitutionView(bin=institution.bin, kind=institution.kind,
                               names={"kk": institution.name_kk, "ru": institution.name_ru, "en": institution.name_en})
        session.commit()
    return Desk(identity=identity, officer=officer, institution=view, csrf=csrf_token_for(session_secret))
