"""The OID4VCI 1.0 endpoints of the verification host: metadata, token, nonce, credential (pre-authorized code).

Errors are OAuth 2.0 error responses, not problems: the Token Endpoint answers `{"error": "invalid_grant" |
"invalid_request" | "unsupported_grant_type"}` with 400 (RFC 6749 §5.2); the Credential Endpoint answers 401 with
`WWW-Authenticate: Bearer error="invalid_token"` for an unusable token (RFC 6750 §3.1; the body is the API's
`unauthorized` problem with the OAuth `error` member beside it) and 400 with
`{"error": "invalid_proof" | "invalid_nonce" | "invalid_credential_request" | "unknown_credential_configuration"}`
for a bad request (OID4VCI 1.0 §8.3.1.2). Every answer carries `Cache-Control: no-store` (RFC 6749 §5.1). A
database that cannot be reached is 503 with Retry-After (the app's outage handlers), never a credential.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import JSONResponse

from verify import oid4vci
from verify.credentials import base
from verify.errors import CredentialError, CredentialOfferError
from verify.registry.credentialoffers import mark_issued, new_nonce, offer_for_token, redeem_code, use_nonce
from verify.texts import Text, text

from ..deps import BackOfficeDep, utcnow
from ..http.bodies import scope_json
from ..problems.errors import BEARER_CHALLENGE
from ..problems.handlers import ProblemError
from .service import diploma_credential_jwt

#: The token endpoint is limited per client as sign-in is (a transaction code has 10^6 values).
RATE_BUCKETS: Final = {oid4vci.TOKEN_PATH: "login"}
SERVICE_NAMES: Final = {"kk": "Білім құжаттарын тексеру", "ru": "Проверка документов об образовании",
                        "en": "Verification of education documents"}
_NO_STORE: Final = {"Cache-Control": "no-store"}

router = APIRouter(tags=["wallet"])


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400, headers=_NO_STORE)


@router.get("/.well-known/openid-credential-issuer", summary="Credential Issuer Metadata (OID4VCI 1.0 §12.2)",
            operation_id="getCredentialIssuerMetadata")
def credential_issuer_metadata(office: BackOfficeDep) -> dict[str, Any]:
    """The issuer identifier, the token, nonce and credential endpoints, and the diploma's configuration."""
    return oid4vci.issuer_metadata(office.base_url, names=SERVICE_NAMES)


@router.get("/.well-known/oauth-authorization-server", summary="Authorization Server Metadata (RFC 8414)",
            operation_id="getAuthorizationServerMetadata")
def authorization_server_metadata(office: BackOfficeDep) -> dict[str, Any]:
    """The token endpoint; the only grant is the pre-authorized code, without client authentication."""
    return oid4vci.authorization_server_metadata(office.base_url)


@router.post(oid4vci.TOKEN_PATH, summary="Token Endpoint: redeem a pre-authorized code (OID4VCI 1.0 §6)",
             operation_id="redeemPreAuthorizedCode",
             responses={200: {"description": "An access token for one credential, 5 minutes"},
                        400: {"description": "invalid_grant, invalid_request or unsupported_grant_type "
                                             "(RFC 6749 §5.2)"}})
def token(office: BackOfficeDep,
          grant_type: Annotated[str, Form(max_length=100)] = "",
          pre_authorized_code: Annotated[str, Form(alias="pre-authorized_code", max_length=200)] = "",
          tx_code: Annotated[str, Form(max_length=20)] = "") -> JSONResponse:
    """Exchange the offer's pre-authorized code and the holder's transaction code for an access token."""
    if grant_type != oid4vci.PRE_AUTHORIZED_GRANT:
        return _oauth_error("unsupported_grant_type", "only the pre-authorized code grant is offered")
    if not pre_authorized_code or not tx_code:
        return _oauth_error("invalid_request", "pre-authorized_code and tx_code are required")
    try:
        with office.sessions() as session:
            issued = redeem_code(session=session, code=pre_authorized_code, tx_code=tx_code, at=utcnow())
    except CredentialOfferError as exc:
        return _oauth_error(exc.oauth_error, exc.message)
    return JSONResponse({"access_token": issued.access_token, "token_type": "Bearer",
                         "expires_in": issued.expires_in}, headers=_NO_STORE)


@router.post(oid4vci.NONCE_PATH, summary="Nonce Endpoint: a fresh c_nonce (OID4VCI 1.0 §7)",
             operation_id="getNonce")
def nonce(office: BackOfficeDep) -> JSONResponse:
    """A `c_nonce` for the next key proof, usable once within 5 minutes."""
    with office.sessions() as session:
        made = new_nonce(session=session, at=utcnow())
    return JSONResponse({"c_nonce": made.nonce}, headers=_NO_STORE)


def _invalid_token(description: str, message: Text) -> ProblemError:
    """401 `unauthorized` with the Bearer challenge `error="invalid_token"` (RFC 6750 §3.1) and the OAuth `error`
    member beside the problem's (OID4VCI 1.0 §8.3.1), so that a wallet and the API's other clients read it alike."""
    return ProblemError("unauthorized", description, text=message, extensions={"error": "invalid_token"},
                        headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_token"', **_NO_STORE})


def _bearer(authorization: str | None) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _proof_of(body: Any) -> str | JSONResponse:
    if not isinstance(body, dict):
        return _oauth_error("invalid_credential_request", "the body must be a JSON object")
    if body.get("credential_configuration_id") != oid4vci.DIPLOMA_CONFIGURATION:
        return _oauth_error("unknown_credential_configuration",
                            f"credential_configuration_id must be {oid4vci.DIPLOMA_CONFIGURATION}")
    proofs = body.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) and set(proofs) == {"jwt"} else None
    if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
        return _oauth_error("invalid_proof", 'give exactly one key proof as {"proofs": {"jwt": ["..."]}}')
    return jwts[0]


@router.post(oid4vci.CREDENTIAL_PATH, summary="Credential Endpoint: the diploma's credential (OID4VCI 1.0 §8)",
             operation_id="issueCredential",
             responses={200: {"description": '{"credentials": [{"credential": "<vc+jwt>"}]}'},
                        400: {"description": "invalid_proof, invalid_nonce, invalid_credential_request or "
                                             "unknown_credential_configuration"},
                        401: {"description": "invalid_token (RFC 6750 §3.1)"}})
def credential(request: Request, office: BackOfficeDep,
               authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Check the access token, then the key proof and its nonce; sign the offered revision's credential for the
    proven key (`credentialSubject.id` = its did:jwk)."""
    at = utcnow()
    access_token = _bearer(authorization)
    if not access_token:
        raise _invalid_token("an access token from the token endpoint is required", text("v_offer_token_unusable"))
    with office.sessions() as session:
        try:
            offered = offer_for_token(session=session, token=access_token, at=at)
        except CredentialOfferError as exc:
            if exc.oauth_error == "invalid_token":
                raise _invalid_token(exc.message, text("v_offer_token_unusable")) from None
            return _oauth_error("invalid_credential_request", exc.message)
        session.commit()
        present, body = scope_json(request.scope)  # read and bounded once by web.http.inputs.InputGuard
        if not present:
            return _oauth_error("invalid_credential_request", "send the request as application/json")
        proof = _proof_of(body)
        if isinstance(proof, JSONResponse):
            return proof
        try:
            key = oid4vci.verify_key_proof(proof, issuer_id=base(office.base_url), at=at)
        except CredentialError as exc:
            return _oauth_error("invalid_proof", exc.message)
        try:
            use_nonce(session=session, nonce=key.nonce, at=at)
            jwt_text = diploma_credential_jwt(office, offered, subject_id=key.did, at=at)
            mark_issued(session=session, offer_id=offered.offer_id, subject_id=key.did,
                        key_thumbprint=key.thumbprint, at=at)
        except CredentialOfferError as exc:
            if exc.oauth_error == "invalid_token":  # another request used the token meanwhile
                raise _invalid_token(exc.message, text("v_offer_token_unusable")) from None
            return _oauth_error("invalid_nonce" if exc.oauth_error == "invalid_nonce" else
                                "invalid_credential_request", exc.message)
    return JSONResponse({"credentials": [{"credential": jwt_text}]}, headers=_NO_STORE)
