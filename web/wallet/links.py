"""The public links a credential names (verify/credentials.py): issuer profile, signer key, achievement, status list.

A reader abroad or a wallet follows them to verify a diploma's credential (docs/INTEROP.md): the JWT's `kid` is a
`/api/v1/keys/{kid}` link to the signer's JWK with its certificate chain (`x5c`, ending in the ministry's root), the
`credentialStatus` a `/api/v1/status-lists/{series}/bitstring/r{revision}` link to a Bitstring Status List
credential signed by the status signer, and the issuer and achievement ids dereference to their descriptions.

A credential itself (`/api/v1/credentials/...`, its `id`) is not served: it names its holder, and serving it by
series and number would let anyone list names by counting numbers; the holder's wallet keeps it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from verify.credentials import signer_jwk
from verify.errors import NotFoundError, RecordError, StatusListError
from verify.identifiers import normalize_series, validate_bin
from verify.registry.institutions import get_institution_by_bin
from verify.texts import text
from verify.vc import MEDIA_TYPE, OB_CONTEXT, VC_CONTEXT, achievement_of, issuer_profile

from ..deps import BackOfficeDep, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import problem_responses
from .service import bitstring_cache, issuer_of

router = APIRouter(prefix="/api/v1", tags=["wallet"], route_class=ProblemRoute)
_CACHE = {"Cache-Control": "public, max-age=300"}
_NOT_FOUND = problem_responses(("not-found", "no such resource"))


def _not_found(what: str) -> NotFoundError:
    return NotFoundError(text("v_link_not_found", what=what))


@router.get("/institutions/{bin}", summary="An issuer's profile (Open Badges 3.0 Profile)",
            operation_id="getIssuerProfile", responses=_NOT_FOUND)
def institution_profile(bin: Annotated[str, Path(max_length=12)], office: BackOfficeDep) -> Response:
    """The institution a credential names as issuer: its names and BIN."""
    try:
        validate_bin(bin)
    except RecordError:
        raise _not_found("institution") from None
    with office.readers() as session:
        institution = get_institution_by_bin(session=session, bin=bin)
        session.commit()
    if institution is None:
        raise _not_found("institution")
    issuer = issuer_of(institution)
    profile = {"@context": [VC_CONTEXT, OB_CONTEXT], **issuer_profile(issuer, base_url=office.base_url),
               "description": f"{institution.name_kk} / {institution.name_ru}"}
    return _json(profile)


@router.get("/keys/{kid}", summary="A trust-list signer's public key (JWK, RFC 7517) with its chain",
            operation_id="getSignerKey", responses=_NOT_FOUND)
def signer_key(kid: Annotated[str, Path(max_length=64, pattern="^[0-9a-f]+$")], office: BackOfficeDep) -> Response:
    """The key a credential's or status list's JWT header `kid` names: a document or status signer of the trust
    list in use that chains to the root, its `x5c` ending in the root certificate."""
    snapshot = office.trust.current()
    trust = snapshot.trust_list
    key_id = bytes.fromhex(kid) if len(kid) % 2 == 0 else b""
    for usage in ("document", "status"):
        for entry in trust.candidates(key_id, usage=usage):
            if entry.chains_to_root:
                return _json(signer_jwk(entry, root=office.trust.root))
    raise _not_found("signer")


@router.get("/achievements/{doc_type}/{programme}", summary="An achievement (document type and programme)",
            operation_id="getAchievement", responses=_NOT_FOUND)
def achievement(doc_type: Annotated[str, Path(max_length=16)], programme: Annotated[str, Path(max_length=24)],
                office: BackOfficeDep) -> Response:
    """What a diploma credential's `achievement.id` names: the document type and the programme's code."""
    try:
        body = achievement_of(doc_type, programme, base_url=office.base_url)
    except RecordError:
        raise _not_found("achievement") from None
    return _json({"@context": [VC_CONTEXT, OB_CONTEXT], **body})


@router.get("/status-lists/{series}/bitstring/r{revision}", summary="A Bitstring Status List credential (JWT)",
            operation_id="getBitstringStatusList",
            responses={200: {"content": {MEDIA_TYPE: {}}, "description": "the list, a JWT signed by the status "
                                                                          "signer (docs/INTEROP.md §4)"},
                       **_NOT_FOUND})
def bitstring_list(series: Annotated[str, Path(max_length=8)], revision: Annotated[int, Path(ge=1, le=999)],
                   office: BackOfficeDep, request: Request) -> Response:
    """Bit n is 1 when document n of the series is not in force as `revision` (verify/bitstring.py)."""
    try:
        normalised = normalize_series(series)
    except RecordError:
        raise _not_found("status list") from None
    try:
        token = bitstring_cache(request.app).get(office, series=normalised, revision=revision, at=utcnow())
    except StatusListError:
        raise ProblemError("unavailable", "no status signer may sign this series' list now",
                           text=text("v_bitstring_unavailable", series=normalised),
                           headers={"Retry-After": "300"}) from None
    return Response(token, media_type=MEDIA_TYPE, headers=_CACHE)


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=_CACHE)
