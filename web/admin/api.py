"""The administrators' API (the ministry; every route needs the `admin` scope of administrator accounts, `verify
admins add`): institutions, officer accounts, partners, tokens, signers, trust list.

| route                                          | does                                                          |
|------------------------------------------------|---------------------------------------------------------------|
| POST /api/v1/admin/institutions                | register an institution (201) [and its signer: see below]     |
| POST /api/v1/admin/institutions/{bin}/signer   | create or rotate the institution's own document signer        |
| GET /api/v1/admin/institutions                 | all institutions                                              |
| POST /api/v1/admin/institutions/{bin}/close    | mark it closed; name the archive that keeps its records       |
| POST /api/v1/admin/officers                    | open an officer account with its password (201)               |
| GET /api/v1/admin/officers                     | officer accounts (of one institution with ?institution_bin=)  |
| POST /api/v1/admin/officers/{username}/disable | disable (sessions end, tokens revoked); .../enable: again     |
| POST /api/v1/admin/officers/{username}/password| reset the password; its sessions end (204)                    |
| POST /api/v1/admin/partners                    | register a partner system (201)                               |
| GET /api/v1/admin/partners                     | partner systems                                               |
| POST /api/v1/admin/partners/{id}/tokens        | a partner:read token for a partner (201; shown once)          |
| PUT /api/v1/admin/partners/{id}/webhook        | the partner's webhook: URL and secret (the outbox's events)   |
| GET /api/v1/admin/tokens                       | every token (never its text)                                  |
| DELETE /api/v1/admin/tokens/{id}               | revoke any token now (204)                                    |
| GET /api/v1/admin/signers                      | the key store's trust list: document signers and their state  |
| POST /api/v1/admin/signers/rotate              | a new document signer for a scope; the others stay active     |
| POST /api/v1/admin/signers/{kid}/revoke        | revoke a signer from its compromise time on                   |
| POST /api/v1/admin/trust-list/publish          | sign a fresh publication (`KeyStore.export`)                  |

Registering an institution makes its signer when VERIFY_SIGNER_PER_INSTITUTION is on (production default). Officer
accounts are the persons appointed by the head's order (seed 001, item 7). Signers and the trust list follow
DESIGN.md, Trust model: rotation keeps old signers; a compromised signer is revoked with its compromise time, so
records signed before it still verify. The key store (`verify.keystore.KeyStore`) writes a trust list change, this
process serves it at once (`BackOffice.publish_trust_list`), other workers within VERIFY_TRUST_RELOAD_S. Key-store
changes run under an exclusive file lock in the key directory; each is recorded in the audit chain.
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlmodel import Session

from verify import Error, KeyStore, TrustList
from verify.errors import ConflictError, KeyStoreError, NotFoundError, RecordError
from verify.keys import ALGORITHM_NAMES, ALGORITHMS
from verify.registry.access import unit_of_work
from verify.registry.accounts import (
    Identity,
    check_password,
    create_token,
    get_account_by_username,
    get_account_of_officer,
    list_tokens,
    revoke_token,
    set_officer_active,
    set_officer_password,
    token_owner_name,
)
from verify.registry.audit import append_event
from verify.registry.institutions import (
    close_institution,
    create_institution,
    create_officer,
    get_institution,
    get_institution_by_bin_or_raise,
    get_officer_by_username,
    list_institutions,
    list_officers,
)
from verify.registry.models import Institution, InstitutionCreate, Officer, OfficerCreate, Partner
from verify.registry.partner import create_partner, get_partner_or_raise, list_partners
from verify.registry.signers import create_institution_signer
from verify.registry.webhooks import set_webhook
from verify.texts import Text, rfc3339, text

from ..auth.schemas import TokenCreatedModel, TokensModel
from ..auth.sessions import token_lifetime, token_model
from ..deps import AdminPrincipal, BackOfficeDep, RowIdPath, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import CSRF_FAILED, INVALID, UNAUTHORIZED, problem_responses
from ..runtime.backoffice import BackOffice
from .schemas import (
    CloseRequest,
    DisableRequest,
    InstitutionModel,
    InstitutionRequest,
    InstitutionSignerRequest,
    InstitutionsModel,
    OfficerCreateRequest,
    OfficerModel,
    OfficersModel,
    PartnerCreateRequest,
    PartnerModel,
    PartnerTokenRequest,
    PartnerWebhookModel,
    PartnerWebhookRequest,
    PasswordRequest,
    PublishRequest,
    RevocationModel,
    RevokeSignerRequest,
    RotateRequest,
    SignerModel,
    TrustListModel,
)

_FORBIDDEN: Final = ("forbidden", "this needs the scope admin, which this session or token does not hold")
_COMMON: Final = (UNAUTHORIZED, _FORBIDDEN, CSRF_FAILED, INVALID)
_NO_OFFICER: Final = ("not-found", "no officer account a.seitkali")
_KEYS_DOWN: Final = ("unavailable", "no key store at keys: run `verify keys init` (the operator must fix the "
                                    "server's configuration)")

Admin = AdminPrincipal
Username = Annotated[str, Path(max_length=64)]

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], route_class=ProblemRoute)


# ----------------------------------------------------------------------------- institutions
def _institution_model(institution: Institution, *, archive_bin: str | None = None) -> InstitutionModel:
    assert institution.id is not None
    return InstitutionModel(id=institution.id, bin=institution.bin, name_kk=institution.name_kk,
                            name_ru=institution.name_ru, name_en=institution.name_en, kind=institution.kind,
                            region=institution.region, closed_on=institution.closed_on, archive_bin=archive_bin)


@router.post(
    "/institutions", summary="Register an institution", status_code=201, response_model=InstitutionModel,
    operation_id="addInstitution",
    responses={201: {"description": "Registered"},
               **problem_responses(*_COMMON, ("conflict", "an institution with BIN 040140001236 is registered "
                                                          "already"),
                                   ("invalid-data", "bin: check digit does not match (not a valid BIN)"))},
)
def add_institution(body: InstitutionRequest, identity: Admin, office: BackOfficeDep) -> InstitutionModel:
    """A college (TVE diplomas, seed 000) or a university (own-format documents, seed 001 item 7), by BIN.

    With VERIFY_SIGNER_PER_INSTITUTION on (the production default) its document signer is made too (its kind's
    series, its BIN); the institution stays registered if that fails, and `signer_note` says why (e.g. a
    production college with no blank series yet: make it with POST /institutions/{bin}/signer).
    """
    with office.sessions() as session:
        try:
            data = InstitutionCreate(**body.model_dump())
        except ValueError as exc:  # pydantic.ValidationError: the BIN's check digit
            detail, said = _first_error(exc)
            raise ProblemError("invalid-data", detail, text=said) from None
        institution = create_institution(session=session, institution_create=data, at=utcnow(),
                                         actor=identity.actor)
    model = _institution_model(institution)
    if office.signer_per_institution:
        try:
            trust_list = _make_institution_signer(office, identity, bin_=institution.bin, series=[], alg=None)
        except (RecordError, KeyStoreError) as exc:
            model.signer_note = f"no document signer was made: {exc.message}"
        else:
            model.signer_kid = trust_list.signers[-1].kid.hex()
    return model


def _first_error(exc: ValueError) -> tuple[str, Text]:
    """The first refusal of a validation: its English and its `Text` (the check's own when it raised one)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors(include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, Error) and cause.text is not None:
            return f"{where}: {first['msg']}", cause.text
        return f"{where}: {first['msg']}", Text("e_field_refused", {"field": where, "reason": first["msg"]})
    return str(exc), Text("e_field_refused", {"field": "?", "reason": str(exc)})


@router.get(
    "/institutions", summary="All institutions", response_model=InstitutionsModel,
    operation_id="listInstitutions",
    responses={200: {"description": "By BIN"}, **problem_responses(UNAUTHORIZED, _FORBIDDEN)},
)
def all_institutions(identity: Admin, office: BackOfficeDep) -> InstitutionsModel:
    """Every registered institution."""
    with office.readers() as session:
        rows = list_institutions(session=session)
        session.commit()
    bins = {i.id: i.bin for i in rows}
    return InstitutionsModel(institutions=[_institution_model(i, archive_bin=bins.get(i.archive_id)) for i in rows])


@router.post(
    "/institutions/{bin}/close", summary="Mark an institution closed and name its archive",
    response_model=InstitutionModel, operation_id="closeInstitution",
    responses={200: {"description": "Closed: the archive's officers now handle its documents"},
               **problem_responses(*_COMMON, ("not-found", "no institution with BIN 040140001236"),
                                   ("conflict", "institution 040140001236 is closed already (since 2026-06-30)"),
                                   ("invalid-data", "archive_bin: an institution cannot be its own archive"))},
)
def close(bin: Annotated[str, Path(pattern=r"^[0-9]{12}$")], body: CloseRequest, identity: Admin,
          office: BackOfficeDep) -> InstitutionModel:
    """Seed 000, Rules item 23: when an organisation closes, people turn to the archive that keeps its records.

    From then on the archive's officers read its documents and issue their duplicates, corrections and annulments;
    its own officers may only read; the verification page of its documents names the day and the archive. Final:
    a closure is not undone here (the audit log and the transparency log record it).
    """
    with office.sessions() as session:
        institution = close_institution(session=session, bin=bin, archive_bin=body.archive_bin,
                                        closed_on=body.closed_on, at=utcnow(), actor=identity.actor)
    return _institution_model(institution, archive_bin=body.archive_bin)


# ----------------------------------------------------------------------------- officers
def _officer_model(session: Session, officer: Officer) -> OfficerModel:
    assert officer.id is not None
    institution = get_institution(session=session, institution_id=officer.institution_id)
    account = get_account_of_officer(session=session, officer=officer)
    return OfficerModel(id=officer.id, username=officer.username, full_name=officer.full_name, role=officer.role,
                        institution_bin=institution.bin, active=officer.active,
                        can_sign_in=account is not None and account.password_hash is not None and account.active)


def _officer_or_404(session: Session, username: str) -> Officer:
    officer = get_officer_by_username(session=session, username=username)
    if officer is None:
        raise NotFoundError(text("v_adm_no_officer", username=username))
    return officer


@router.post(
    "/officers", summary="Open an officer account", status_code=201, response_model=OfficerModel,
    operation_id="addOfficer",
    responses={201: {"description": "The account; it can sign in with the password given"},
               **problem_responses(*_COMMON, ("not-found", "no institution with BIN 040140001236"),
                                   ("conflict", "the username a.seitkali is taken"),
                                   ("invalid-data", "password: must be 12-256 characters"))},
)
def add_officer(body: OfficerCreateRequest, identity: Admin, office: BackOfficeDep) -> OfficerModel:
    """An account of a person appointed by the head's order (seed 001, item 7), bound to one institution."""
    at = utcnow()
    with office.sessions() as session:
        check_password(body.password)
        institution = get_institution_by_bin_or_raise(session=session, bin=body.institution_bin)
        if get_account_by_username(session=session, username=body.username) is not None:
            raise ConflictError(text("v_acc_username_taken", username=body.username))
        session.commit()
        officer = create_officer(session=session, officer_create=OfficerCreate(
            username=body.username, full_name=body.full_name, role=body.role), institution=institution, at=at,
            actor=identity.actor)
        set_officer_password(session=session, officer=officer, password=body.password, hashing=office.hashing,
                             at=at, actor=identity.actor)
        model = _officer_model(session, officer)
        session.commit()
    return model


@router.get(
    "/officers", summary="Officer accounts", response_model=OfficersModel,
    operation_id="listOfficers",
    responses={200: {"description": "By username"},
               **problem_responses(UNAUTHORIZED, _FORBIDDEN, ("not-found", "no institution with BIN 040140001236"),
                                   INVALID)},
)
def all_officers(identity: Admin, office: BackOfficeDep,
                 institution_bin: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None) -> OfficersModel:
    """Every officer account, or those of one institution."""
    with office.readers() as session:
        institution_id = None
        if institution_bin is not None:
            institution_id = get_institution_by_bin_or_raise(session=session, bin=institution_bin).id
        models = [_officer_model(session, officer)
                  for officer in list_officers(session=session, institution_id=institution_id)]
        session.commit()
    return OfficersModel(officers=models)


def _set_active(office: BackOffice, identity: Identity, username: str, *, active: bool,
                reason: str | None) -> OfficerModel:
    with office.sessions() as session:
        officer = _officer_or_404(session, username)
        session.commit()
        officer = set_officer_active(session=session, officer=officer, active=active, at=utcnow(),
                                     actor=identity.actor, reason=reason)
        model = _officer_model(session, officer)
        session.commit()
    return model


@router.post(
    "/officers/{username}/disable", summary="Disable an officer account (at once)", response_model=OfficerModel,
    operation_id="disableOfficer",
    responses={200: {"description": "Disabled: its sessions ended and its tokens are revoked"},
               **problem_responses(*_COMMON, _NO_OFFICER, ("invalid-data", "officer a.seitkali is disabled "
                                                                           "already"))},
)
def disable_officer(username: Username, identity: Admin, office: BackOfficeDep,
                    body: DisableRequest | None = None) -> OfficerModel:
    """The account stops working on the very next request: sessions ended, tokens revoked, services refuse it."""
    return _set_active(office, identity, username, active=False, reason=body.reason if body else None)


@router.post(
    "/officers/{username}/enable", summary="Enable an officer account again", response_model=OfficerModel,
    operation_id="enableOfficer",
    responses={200: {"description": "Enabled (revoked tokens stay revoked; it signs in again)"},
               **problem_responses(*_COMMON, _NO_OFFICER, ("invalid-data", "officer a.seitkali is active already"))},
)
def enable_officer(username: Username, identity: Admin, office: BackOfficeDep) -> OfficerModel:
    """Let a disabled officer sign in again."""
    return _set_active(office, identity, username, active=True, reason=None)


@router.post(
    "/officers/{username}/password", summary="Reset an officer's password", status_code=204,
    operation_id="resetOfficerPassword",
    responses={204: {"description": "Set; every session of the account has ended"},
               **problem_responses(*_COMMON, _NO_OFFICER, ("invalid-data", "password: must be 12-256 characters"))},
)
def reset_password(username: Username, body: PasswordRequest, identity: Admin, office: BackOfficeDep) -> Response:
    """A new password for an officer (e.g. a forgotten one); its open sessions end, its tokens stay."""
    with office.sessions() as session:
        officer = _officer_or_404(session, username)
        session.commit()
        set_officer_password(session=session, officer=officer, password=body.password, hashing=office.hashing,
                             at=utcnow(), actor=identity.actor)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- partners and tokens
def _partner_model(partner: Partner) -> PartnerModel:
    assert partner.id is not None
    return PartnerModel(id=partner.id, name=partner.name, active=partner.active, created_at=partner.created_at)


@router.post(
    "/partners", summary="Register a partner system", status_code=201, response_model=PartnerModel,
    operation_id="addPartner",
    responses={201: {"description": "Registered; give it a token next"},
               **problem_responses(*_COMMON, ("conflict", "a partner named eGov Mobile digital documents exists"))},
)
def add_partner(body: PartnerCreateRequest, identity: Admin, office: BackOfficeDep) -> PartnerModel:
    """A system that reads holders' documents with a `partner:read` token (e.g. the digital documents app)."""
    with office.sessions() as session:
        partner = create_partner(session=session, name=body.name, at=utcnow(), actor=identity.actor)
    return _partner_model(partner)


@router.get(
    "/partners", summary="Partner systems", response_model=list[PartnerModel],
    operation_id="listPartners",
    responses={200: {"description": "By name", "content": {"application/json": {"example": [
        {"id": 1, "name": "eGov Mobile digital documents", "active": True, "created_at": "2026-07-01T09:00:00Z"}]}}},
        **problem_responses(UNAUTHORIZED, _FORBIDDEN)},
)
def all_partners(identity: Admin, office: BackOfficeDep) -> list[PartnerModel]:
    """Every partner system."""
    with office.readers() as session:
        partners = list_partners(session=session)
        session.commit()
    return [_partner_model(p) for p in partners]


@router.post(
    "/partners/{partner_id}/tokens", summary="Make a token for a partner", status_code=201,
    operation_id="addPartnerToken",
    response_model=TokenCreatedModel,
    responses={201: {"description": "The token (scope partner:read); its text is shown this once"},
               **problem_responses(*_COMMON, ("not-found", "no partner 3"), ("invalid-data", "days: at most 365"))},
)
def add_partner_token(partner_id: RowIdPath, body: PartnerTokenRequest, identity: Admin,
                      office: BackOfficeDep) -> TokenCreatedModel:
    """A `partner:read` token; hand it to the partner over a secure channel."""
    at = utcnow()
    expires_at = token_lifetime(office, body.days, at=at)
    with office.sessions() as session:
        partner = get_partner_or_raise(session=session, partner_id=partner_id)
        session.commit()
        secret, token = create_token(session=session, owner=partner, name=body.name, scopes=["partner:read"], at=at,
                                     expires_at=expires_at, actor=identity.actor)
    listed = token_model(token, owner=f"partner:{partner.name}", at=at)
    return TokenCreatedModel(**listed.model_dump(), token=secret)


@router.put(
    "/partners/{partner_id}/webhook", summary="Set a partner's webhook", response_model=PartnerWebhookModel,
    operation_id="setPartnerWebhook",
    responses={200: {"description": "Set; the outbox's events are POSTed to it, signed (Standard Webhooks)"},
               **problem_responses(*_COMMON, ("not-found", "no partner 3"),
                                   ("invalid-data", "url: must be an http or https URL of at most 2,000 characters"))},
)
def put_partner_webhook(partner_id: RowIdPath, body: PartnerWebhookRequest, identity: Admin,
                        office: BackOfficeDep) -> PartnerWebhookModel:
    """Set where the partner gets every issue, duplicate, correction and annulment (a new webhook starts with the
    first event the outbox holds; a changed one keeps its cursor). The secret is never shown again."""
    with office.sessions() as session:
        partner = get_partner_or_raise(session=session, partner_id=partner_id)
        session.commit()
        row = set_webhook(session=session, partner=partner, url=body.url, secret=body.secret, at=utcnow(),
                          actor=identity.actor)
    return PartnerWebhookModel(partner_id=row.partner_id, url=row.url, delivered_id=row.delivered_id,
                               attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                               last_error=row.last_error, updated_at=row.updated_at)


@router.get(
    "/tokens", summary="Every API token", response_model=TokensModel,
    operation_id="listTokens",
    responses={200: {"description": "Newest first (never their text)"},
               **problem_responses(UNAUTHORIZED, _FORBIDDEN, INVALID)},
)
def all_tokens(identity: Admin, office: BackOfficeDep,
               active: Annotated[bool, Query(description="only tokens not revoked (expired ones included)")] = False,
               ) -> TokensModel:
    """Every token of every account and partner, with its owner and state."""
    at = utcnow()
    with office.readers() as session:
        tokens = list_tokens(session=session, include_revoked=not active)
        models = [token_model(t, owner=token_owner_name(session=session, token=t), at=at) for t in tokens]
        session.commit()
    return TokensModel(tokens=models)


@router.delete(
    "/tokens/{token_id}", summary="Revoke any API token", status_code=204,
    operation_id="revokeToken",
    responses={204: {"description": "Revoked; the next request with it is refused"},
               **problem_responses(UNAUTHORIZED, _FORBIDDEN, CSRF_FAILED, ("not-found", "no token 7"),
                                   ("invalid-data", "token 7 is revoked already"))},
)
def revoke_any_token(token_id: RowIdPath, identity: Admin, office: BackOfficeDep) -> Response:
    """Revoke a token of anyone at once (e.g. a leaked partner token)."""
    with office.sessions() as session:
        revoke_token(session=session, token_id=token_id, at=utcnow(), actor=identity.actor)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- signers and trust list
@contextmanager
def _key_store_lock(keys: KeyStore) -> Iterator[None]:
    """An exclusive lock on the key directory while it changes (several workers, several administrators)."""
    try:
        keys.path.mkdir(parents=True, exist_ok=True)
        handle = (keys.path / ".admin.lock").open("a")
    except OSError as exc:
        raise ProblemError("unavailable", f"the key store cannot be locked ({exc.strerror})",
                           text=Text("e_keys_locked", {"cause": str(exc.strerror)})) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def trust_list_model(trust_list: TrustList, *, at: dt.datetime) -> TrustListModel:
    """The trust list as shown to administrators."""
    signers = []
    for entry in trust_list.signers:
        state = "revoked" if entry.revocation else ("active" if entry.usage_until > at else "retired")
        revocation = None if entry.revocation is None else RevocationModel(
            revoked_at=entry.revocation.revoked_at, compromised_at=entry.revocation.compromised_at,
            reason=entry.revocation.reason)
        signers.append(SignerModel(kid=entry.kid.hex(), label=entry.label, alg=ALGORITHM_NAMES.get(entry.alg, "?"),
                                   usage_from=entry.usage_from, usage_until=entry.usage_until,
                                   series=sorted(entry.scope.series), institution_bin=entry.scope.institution_bin,
                                   state=state, revocation=revocation))  # type: ignore[arg-type]
    return TrustListModel(version=trust_list.version, environment=trust_list.environment,
                          issued_at=trust_list.issued_at, expires_at=trust_list.expires_at, signers=signers)


def _audit_trust(office: BackOffice, identity: Identity, *, action: str, object_ref: str, at: dt.datetime,
                 after: dict[str, Any], reason: str | None = None) -> None:
    with office.sessions() as session, unit_of_work(session):
        append_event(session=session, at=at, action=action, object_type="trust_list", object_ref=object_ref,
                     actor=identity.actor, reason=reason, after=after)


_TRUST_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {"description": "The key store's trust list after the change (also published)"}}


@router.get(
    "/signers", summary="Document signers of the trust list", response_model=TrustListModel,
    operation_id="listSigners",
    responses={200: {"description": "The key store's current trust list"},
               **problem_responses(UNAUTHORIZED, _FORBIDDEN, _KEYS_DOWN)},
)
def signers(identity: Admin, office: BackOfficeDep) -> TrustListModel:
    """Every document signer, active, retired (kept for verification) or revoked."""
    return trust_list_model(office.keys.trust_list(), at=utcnow())


@router.post(
    "/signers/rotate", summary="Rotate the document signer", response_model=TrustListModel,
    operation_id="rotateSigner",
    responses={**_TRUST_RESPONSES, **problem_responses(*_COMMON, _KEYS_DOWN)},
)
def rotate_signer(identity: Admin, office: BackOfficeDep, body: RotateRequest | None = None) -> TrustListModel:
    """A new active document signer for a scope (`series`, `institution_bin`; none: the only active one); the
    signers it replaces stop now but stay listed for verification, every other active signer stays active."""
    at = utcnow()
    request = body or RotateRequest()
    series = frozenset(request.series) if request.series else None
    with _key_store_lock(office.keys):
        trust_list = office.keys.rotate(at=at, alg=ALGORITHMS[request.alg], series=series,
                                        institution_bin=request.institution_bin)
    office.publish_trust_list(trust_list)
    active = trust_list.signers[-1].kid.hex()
    _audit_trust(office, identity, action="signer.rotate", object_ref=active, at=at,
                 after={"version": trust_list.version, "active_kid": active, "alg": request.alg,
                        "institution_bin": request.institution_bin})
    return trust_list_model(trust_list, at=at)


def _make_institution_signer(office: BackOffice, identity: Identity, *, bin_: str, series: list[str],
                             alg: str | None) -> TrustList:
    """Create or rotate one institution's document signer, publish the list, audit it (`signer.create`)."""
    at = utcnow()
    with _key_store_lock(office.keys), office.readers() as session:
        trust_list = create_institution_signer(session=session, keys=office.keys, institution_bin=bin_, at=at,
                                               extra_series=series, alg=ALGORITHMS[alg] if alg else None)
    office.publish_trust_list(trust_list)
    entry = trust_list.signers[-1]
    _audit_trust(office, identity, action="signer.create", object_ref=entry.kid.hex(), at=at,
                 after={"version": trust_list.version, "institution_bin": bin_, "series": sorted(entry.scope.series),
                        "alg": ALGORITHM_NAMES.get(entry.alg, "?")})
    return trust_list


@router.post(
    "/institutions/{bin}/signer", summary="Create or rotate an institution's document signer",
    response_model=TrustListModel, operation_id="createInstitutionSigner",
    responses={**_TRUST_RESPONSES,
               **problem_responses(*_COMMON, _KEYS_DOWN, ("not-found", "no institution with BIN 040140001236"),
                                   ("invalid-data", "series: institution 040140001236 is a college with no blank "
                                                    "series recorded; record its blanks first or name the series "
                                                    "of its blanks"))},
)
def institution_signer(bin: Annotated[str, Path(pattern=r"^[0-9]{12}$")], identity: Admin,
                       office: BackOfficeDep, body: InstitutionSignerRequest | None = None) -> TrustListModel:
    """One signer per institution (DESIGN.md): scoped to the series its kind may issue and to its BIN.

    A second call rotates it: its previous signer stops signing now but stays listed; other institutions' signers
    stay active. Its key is made where the replaced one's was (a file, or the same PKCS#11 token).
    """
    request = body or InstitutionSignerRequest()
    trust_list = _make_institution_signer(office, identity, bin_=bin, series=request.series, alg=request.alg)
    return trust_list_model(trust_list, at=utcnow())


@router.post(
    "/signers/{kid}/revoke", summary="Revoke a document signer", response_model=TrustListModel,
    operation_id="revokeSigner",
    responses={**_TRUST_RESPONSES,
               **problem_responses(*_COMMON, _KEYS_DOWN, ("invalid-data", "kid: give 16 hex digits"),
                                   ("not-found", "no signer with kid 0b616e3d385d0fea"),
                                   ("conflict", "signer 0b616e3d385d0fea is revoked already"))},
)
def revoke_signer(kid: Annotated[str, Path(min_length=16, max_length=16)], body: RevokeSignerRequest,
                  identity: Admin, office: BackOfficeDep) -> TrustListModel:
    """Records signed from `compromised_at` on no longer verify; those signed before still do.

    Rotate first if the revoked signer is the active one: issuing stops until a new signer is active.
    """
    try:
        kid_bytes = bytes.fromhex(kid)
    except ValueError:
        raise RecordError(text("v_adm_kid", field="kid")) from None
    if body.compromised_at.tzinfo is None:
        raise RecordError(text("v_adm_time_zone", field="compromised_at"))
    at = utcnow()
    with _key_store_lock(office.keys):
        entries = [e for e in office.keys.trust_list().signers if e.kid == kid_bytes]
        if not entries:
            raise NotFoundError(text("v_adm_no_signer", kid=kid))
        if all(e.revocation is not None for e in entries):
            raise ConflictError(text("v_adm_signer_revoked", kid=kid))
        trust_list = office.keys.revoke(kid_bytes, compromised_at=body.compromised_at, at=at, reason=body.reason)
    office.publish_trust_list(trust_list)
    _audit_trust(office, identity, action="signer.revoke", object_ref=kid, at=at, reason=body.reason,
                 after={"version": trust_list.version,
                        "compromised_at": rfc3339(body.compromised_at)})
    return trust_list_model(trust_list, at=at)


@router.post(
    "/trust-list/publish", summary="Publish the trust list", response_model=TrustListModel,
    operation_id="publishTrustList",
    responses={**_TRUST_RESPONSES, **problem_responses(*_COMMON, _KEYS_DOWN)},
)
def publish(identity: Admin, office: BackOfficeDep, body: PublishRequest | None = None) -> TrustListModel:
    """Sign the list again with a new version, issue time and expiry (do it before the published one expires)."""
    at = utcnow()
    ttl_days = (body or PublishRequest()).ttl_days
    with _key_store_lock(office.keys):
        trust_list = office.keys.export(at=at, ttl_days=ttl_days)
    office.publish_trust_list(trust_list)
    _audit_trust(office, identity, action="trustlist.publish", object_ref=f"version {trust_list.version}", at=at,
                 after={"version": trust_list.version,
                        "expires_at": rfc3339(trust_list.expires_at)})
    return trust_list_model(trust_list, at=at)
