"""What the ministry's pages read and change (`web.admin.console`): institutions, officer accounts, the key store's
trust list.

They read through the back office's reading sessions and the key store. The pages change two things: they disable
an officer account (its sessions end and its tokens are revoked at once) or enable it again, through the registry's
`set_officer_active`, audited, as `POST /api/v1/admin/officers/{username}/disable|enable` does; and they mark an
institution closed with the archive that keeps its records (`close`, as `POST /api/v1/admin/institutions/{bin}/close`;
seed 000, Rules item 23). The other changes stay the administrators' API (`web.admin.api`), which the pages name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from verify import TrustList
from verify.errors import NotFoundError
from verify.keys import ALGORITHM_NAMES
from verify.registry.accounts import Identity, get_account_of_officer, set_officer_active
from verify.registry.institutions import (
    close_institution,
    get_institution,
    get_institution_by_bin_or_raise,
    get_officer_by_username,
    list_institutions,
    list_officers,
)
from verify.texts import text
from verify.trust import SignerEntry

from ..runtime.backoffice import BackOffice


@dataclass(frozen=True, slots=True)
class InstitutionLine:
    """An institution as listed: BIN, kind (college | university), names by language, region, officer accounts."""

    bin: str
    kind: str
    names: dict[str, str]
    region: str
    officers: int
    closed_on: dt.date | None = None
    archive_bin: str | None = None


@dataclass(frozen=True, slots=True)
class OfficerLine:
    """An officer account as listed; `can_sign_in`: it has a password and is active."""

    username: str
    full_name: str
    role: str
    institution_bin: str
    active: bool
    can_sign_in: bool


@dataclass(frozen=True, slots=True)
class SignerLine:
    """A signer of the trust list: kid (hex), label, algorithm, usage period (aware UTC), scope, state."""

    kid: str
    label: str
    alg: str
    usage_from: dt.datetime
    usage_until: dt.datetime
    series: tuple[str, ...]
    institution_bin: str | None
    state: str
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TrustView:
    """The key store's trust list as the ministry's page shows it."""

    version: int
    environment: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    signers: tuple[SignerLine, ...]


def institutions(office: BackOffice) -> list[InstitutionLine]:
    """Every institution by BIN, with the number of its officer accounts."""
    with office.readers() as session:
        counts: dict[int, int] = {}
        for officer in list_officers(session=session):
            counts[officer.institution_id] = counts.get(officer.institution_id, 0) + 1
        rows = list_institutions(session=session)
        bins = {i.id: i.bin for i in rows}
        lines = [InstitutionLine(bin=i.bin, kind=i.kind, names={"kk": i.name_kk, "ru": i.name_ru, "en": i.name_en},
                                 region=i.region, officers=counts.get(i.id or 0, 0), closed_on=i.closed_on,
                                 archive_bin=bins.get(i.archive_id))
                 for i in rows]
        session.commit()
    return lines


def officers(office: BackOffice, *, institution_bin: str | None) -> list[OfficerLine]:
    """Every officer account by username, or those of one institution.

    Raises:
        NotFoundError: no institution with this BIN.
    """
    with office.readers() as session:
        bins = {i.id: i.bin for i in list_institutions(session=session)}
        institution_id = None
        if institution_bin is not None:
            institution_id = get_institution_by_bin_or_raise(session=session, bin=institution_bin).id
        lines = []
        for officer in list_officers(session=session, institution_id=institution_id):
            account = get_account_of_officer(session=session, officer=officer)
            lines.append(OfficerLine(username=officer.username, full_name=officer.full_name, role=officer.role,
                                     institution_bin=bins.get(officer.institution_id, ""), active=officer.active,
                                     can_sign_in=account is not None and account.password_hash is not None
                                     and account.active))
        session.commit()
    return lines


def set_active(office: BackOffice, identity: Identity, *, username: str, active: bool, reason: str | None,
               at: dt.datetime) -> str:
    """Disable (`active` False: sessions ended, tokens revoked, in one transaction) or enable an officer account.

    Returns:
        The BIN of the officer's institution (the page to go back to).

    Raises:
        NotFoundError: no officer account with this username.
        RecordError: the account is in that state already.
    """
    with office.sessions() as session:
        officer = get_officer_by_username(session=session, username=username)
        if officer is None:
            raise NotFoundError(text("v_adm_no_officer", username=username))
        bin_ = get_institution(session=session, institution_id=officer.institution_id).bin
        session.commit()
        set_officer_active(session=session, officer=officer, active=active, at=at, actor=identity.actor,
                           reason=reason)
    return bin_


def close(office: BackOffice, identity: Identity, *, bin: str, archive_bin: str, closed_on: dt.date,
          at: dt.datetime) -> None:
    """Mark an institution closed on `closed_on`, its records kept by `archive_bin` (`close_institution`; audited).

    Raises:
        RecordError: a malformed BIN, the institution as its own archive, a day after `at`.
        NotFoundError: no institution has one of the BINs.
        ConflictError: closed already, or the archive is closed.
    """
    with office.sessions() as session:
        close_institution(session=session, bin=bin, archive_bin=archive_bin, closed_on=closed_on, at=at,
                          actor=identity.actor)


def signer_state(entry: SignerEntry, *, at: dt.datetime) -> str:
    """"revoked" (a revocation is listed), "active" (its usage period has not ended at `at`) or "retired"."""
    if entry.revocation is not None:
        return "revoked"
    return "active" if entry.usage_until > at else "retired"


def trust_view(trust_list: TrustList, *, at: dt.datetime) -> TrustView:
    """The trust list's version, expiry and every signer with its state at `at` (docs/FORMAT.md §6)."""
    signers = tuple(SignerLine(kid=e.kid.hex(), label=e.label, alg=ALGORITHM_NAMES.get(e.alg, "?"),
                               usage_from=e.usage_from, usage_until=e.usage_until, series=tuple(sorted(e.scope.series)),
                               institution_bin=e.scope.institution_bin, state=signer_state(e, at=at),
                               revoked_at=None if e.revocation is None else e.revocation.revoked_at)
                    for e in trust_list.signers)
    return TrustView(version=trust_list.version, environment=trust_list.environment, issued_at=trust_list.issued_at,
                     expires_at=trust_list.expires_at, signers=signers)
