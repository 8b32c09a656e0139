"""A diploma as a W3C Verifiable Credential 2.0 that is an Open Badges 3.0 AchievementCredential, secured as a JWT.

Standards (docs/INTEROP.md has a worked example and what a reader abroad does to verify):

* **Data model**: Verifiable Credentials Data Model v2.0 (W3C Recommendation, 15 May 2025), and Open Badges
  Specification 3.0 (1EdTech), `AchievementCredential` with the context `context-3.0.3.json`; the appendix rows
  are the subject's `result`s, each described by a `ResultDescription` of the achievement.
* **Securing mechanism**: "Securing Verifiable Credentials using JOSE and COSE" (VC-JOSE-COSE, W3C
  Recommendation, 15 May 2025), §3.1.1: a JWS compact serialization whose payload is the credential itself (no
  `vc` claim). Within what VC-JOSE-COSE allows, the header and claims take Open Badges 3.0's stricter JWT rules
  (OB 3.0 §8.2 "JSON Web Token Proof Format"): header exactly `alg`, `kid` (a URL that dereferences to the JWK,
  `credentials.key_url`) and `typ: "JWT"` (VC-JOSE-COSE only RECOMMENDS `vc+jwt`; OB allows only `JWT`), and the
  claims `iss` = issuer.id, `jti` = id, `sub` = credentialSubject.id, `nbf` = validFrom (OB REQUIRES `nbf`;
  VC-JOSE-COSE does not recommend it, but does not forbid it), plus `iat`, the signing time.
* **Keys and algorithms**: the institution's document signer (the `Signer` that signs its QR records: a key
  file or an HSM), EdDSA (Ed25519, RFC 8037) or ES256 (RFC 7518 §3.4, the same raw r || s a COSE signature is).
  OB 3.0 names RS256 as its minimum; EdDSA and ES256 are permitted but "limit interoperability": readers whose
  OB verifier takes RS256 only cannot check these (docs/INTEROP.md, Limits).

Signing runs through PyJWT's JWS encoder (`jwt.api_jws.PyJWS`), with the private-key operation delegated to the
`Signer` (a registered `jwt.algorithms.Algorithm` whose `sign` calls `Signer.sign`): the library builds the header,
the base64url segments and the compact form; the key never leaves its store. `verify_credential_jwt` verifies with
PyJWT's own EdDSA and ES256 algorithms against the trust list; the tests verify with another library (joserfc).

    build_diploma_credential(signed, issuer=, base_url=, ...) -> dict     the unsigned credential (JSON object)
    sign_credential(credential, signer=, base_url=, at=) -> str           the compact JWS (media type vc+jwt)
    verify_credential_jwt(token, trust_list=, at=, usage=) -> dict        the verified credential, or raises
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, cast

from jwt.algorithms import Algorithm
from jwt.api_jws import PyJWS
from jwt.exceptions import InvalidTokenError, PyJWTError

from . import credentials as cr
from .appendix import Appendix, AppendixItem
from .bitstring import bitstring_status_entry
from .codec import ALG_EDDSA, ALG_ES256
from .doctypes import get_document_type
from .errors import (
    BadSignatureError,
    CredentialError,
    RecordError,
    UnknownSignerError,
    UntrustedSignerError,
)
from .issue import SignedRecord
from .keys import Signer
from .translit import latin_name
from .trust import SignerEntry, TrustList

VC_CONTEXT = cr.VC_CONTEXT
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
MEDIA_TYPE = "application/vc+jwt"  # VC-JOSE-COSE §6.1.1 (IANA media type of a JWT-secured VC)
JWS_ALGS = {ALG_EDDSA: "EdDSA", ALG_ES256: "ES256"}
MAX_TOKEN_CHARS = 1024 * 1024


class _SignerAlgorithm(Algorithm):
    """A PyJWT JWS algorithm whose private-key operation is a `Signer`'s (file key or HSM).

    EdDSA (Ed25519) signatures are the same bytes in COSE and JWS; ES256 is r || s in both (RFC 9053 §2.1,
    RFC 7518 §3.4). Verification is not done here: `verify_credential_jwt` uses PyJWT's own algorithms, and
    `verify`, `to_jwk` and `from_jwk` (required by PyJWT's interface) refuse with a `CredentialError`.
    """

    def __init__(self, cose_alg: int) -> None:
        self.cose_alg = cose_alg

    def prepare_key(self, key: Any) -> Any:
        if not isinstance(key, Signer) or key.alg != self.cose_alg:
            raise InvalidTokenError("the signing key must be a Signer of this algorithm")
        return key

    def sign(self, msg: bytes, key: Any) -> bytes:
        signature: bytes = key.sign(msg)
        return signature

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        raise CredentialError("this algorithm only signs: verification uses PyJWT's own algorithms "
                              "(verify_credential_jwt)")

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise CredentialError("a Signer has no exportable JWK; see credentials.signer_jwk")

    @staticmethod
    def from_jwk(jwk: str | dict[str, Any]) -> Any:
        raise CredentialError("a Signer is not made from a JWK")


def _signing_jws() -> PyJWS:
    jws = PyJWS(algorithms=[])
    for cose_alg, name in JWS_ALGS.items():
        jws.register_algorithm(name, _SignerAlgorithm(cose_alg))
    return jws


_SIGNING = _signing_jws()
_VERIFYING = PyJWS(algorithms=list(JWS_ALGS.values()))


def _text(names: Mapping[str, str] | None, lang: str = "en") -> str | None:
    if not names:
        return None
    for key in (lang, "ru", "kk"):
        if names.get(key):
            return names[key]
    return None


def _result_of(item: AppendixItem, description_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The OB ResultDescription and Result of one appendix row: the letter when given, else percent, else the
    five-point grade (an extension type), else pass/fail as a status."""
    grade = item.grade
    name = _text(item.names) or item.kind.label
    description: dict[str, Any] = {"id": description_id, "type": ["ResultDescription"], "name": name}
    result: dict[str, Any] = {"type": ["Result"], "resultDescription": description_id}
    band = grade.band()
    if band is not None:
        description["resultType"] = "LetterGrade"
        result["value"] = band.letter
    elif grade.percent is not None:
        description.update(resultType="Percent", valueMin="0", valueMax="100")
        result["value"] = str(grade.percent)
    elif grade.five_point is not None:
        description.update(resultType="ext:FivePointGrade", valueMin="2", valueMax="5")
        result["value"] = str(grade.five_point)
    else:
        description["resultType"] = "Status"
        result["status"] = "Completed" if grade.passed else "Failed"
    return description, result


def issuer_profile(issuer: cr.Issuer, *, base_url: str) -> dict[str, Any]:
    """The institution as an Open Badges 3.0 `Profile` (OB 3.0 §B.1.19): the credential's issuer, and what
    `credentials.issuer_url` serves; the BIN as an `IdentifierEntry` of type `ext:BIN`."""
    return {"id": cr.issuer_url(base_url, issuer.bin), "type": ["Profile"], "name": issuer.name("en"),
            "otherIdentifier": [{"type": "IdentifierEntry", "identifier": issuer.bin, "identifierType": "ext:BIN"}]}


def achievement_of(doc_type_code: str, programme: str, *, base_url: str,
                   programme_names: Mapping[str, str] | None = None, honours: bool = False,
                   qualification: str | None = None) -> dict[str, Any]:
    """The Open Badges 3.0 `Achievement` (OB 3.0 §B.1.1) of a document type and programme: what a diploma
    credential names and `credentials.achievement_url` serves.

    Args:
        doc_type_code: a `verify.doctypes` code ("BD", "TVE", ...).
        programme: the programme's classifier code, e.g. "6B06101".
        programme_names: the programme's names {"kk", "ru", "en"} from the classifier, or None.
        honours: the diploma is with honours (its name says so).
        qualification: the qualification's code, or None.

    Raises:
        RecordError: an unknown document type.
    """
    doc_type = get_document_type(doc_type_code)
    if doc_type is None:
        raise RecordError(f"doc_type: {doc_type_code!r} is not a document type")
    named = _text(programme_names)
    with_honours = " with honours" if honours else ""
    return {
        "id": cr.achievement_url(base_url, doc_type_code, programme),
        "type": ["Achievement"],
        "achievementType": cr.ACHIEVEMENT_TYPES[doc_type_code],
        "name": f"{doc_type.names['en']}{with_honours}: {named or programme}",
        "description": f"{doc_type.names['en']} ({doc_type.names['kk']} / {doc_type.names['ru']}), programme "
                       f"{programme}{f' {named}' if named else ''}"
                       f"{f', qualification {qualification}' if qualification else ''}.",
        "criteria": {"narrative": "Completed the programme and passed the final attestation; the diploma is awarded "
                                  "by the decision of the attestation commission."},
        "humanCode": programme,
    }


def build_diploma_credential(signed: SignedRecord, *, issuer: cr.Issuer, base_url: str,
                             programme_names: Mapping[str, str] | None = None,
                             qualification_names: Mapping[str, str] | None = None,
                             appendix: Appendix | None = None, subject_id: str | None = None) -> dict[str, Any]:
    """The diploma (and its appendix as results) as a VCDM 2.0 / Open Badges 3.0 AchievementCredential.

    Args:
        signed: the diploma's `SignedRecord` (the revision the credential states; its QR link is the evidence).
        issuer: the institution (`credentials.Issuer`); its BIN must be the record's.
        base_url: the verification host that serves the credential's links (`credentials` module).
        programme_names, qualification_names: {"kk", "ru", "en"} from the classifier, beside the codes, or None.
        appendix: the diploma's `Appendix` (its rows become results), or None.
        subject_id: the holder's identifier (a wallet's DID from OID4VCI), or None: then
            `<credential id>#holder`. Never the IIN.

    Returns:
        The credential as a JSON object (validFrom = the record's signing time).

    Raises:
        RecordError: the issuer's BIN or the appendix's diploma is not the record's.
    """
    record = signed.record
    if issuer.bin != record.institution_bin:
        raise RecordError("credential: the issuer is not the record's institution")
    if appendix is not None and (appendix.diploma.series, appendix.diploma.number, appendix.diploma.revision,
                                 appendix.diploma.payload_sha256) != (record.series, record.number,
                                                                      record.revision, signed.payload_sha256):
        raise RecordError("credential: the appendix belongs to another diploma revision")
    doc_type = get_document_type(record.doc_type)
    assert doc_type is not None  # a valid Record has a known type
    cred_id = cr.credential_url(base_url, record.series, record.number, record.revision)
    achievement_id = cr.achievement_url(base_url, record.doc_type, record.programme)
    latin = latin_name(record.holder)
    honours = " with honours" if record.honours else ""
    achievement = achievement_of(record.doc_type, record.programme, base_url=base_url,
                                 programme_names=programme_names, honours=record.honours,
                                 qualification=record.qualification)
    if record.qualification is not None:
        achievement["specialization"] = _text(qualification_names) or record.qualification
    subject: dict[str, Any] = {
        "id": subject_id or f"{cred_id}#holder",
        "type": ["AchievementSubject"],
        "activityEndDate": f"{record.award_date.isoformat()}T00:00:00Z",
        "identifier": [
            {"type": "IdentityObject", "identityType": "name", "hashed": False,
             "identityHash": record.holder.full_name},
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": latin.full_name},
        ],
        "achievement": achievement,
    }
    if appendix is not None:
        described = [_result_of(item, f"{achievement_id}#item-{i}") for i, item in enumerate(appendix.items, 1)]
        totals = appendix.totals_computed()
        results = [r for _, r in described]
        if totals.gpa is not None:
            gpa_id = f"{achievement_id}#gpa"
            described.append(({"id": gpa_id, "type": ["ResultDescription"], "name": "GPA",
                               "resultType": "GradePointAverage", "valueMin": "0", "valueMax": "4"}, {}))
            results.append({"type": ["Result"], "resultDescription": gpa_id, "value": f"{totals.gpa:.2f}"})
        achievement["resultDescription"] = [d for d, _ in described]
        subject["result"] = results
        if totals.credits is not None:
            achievement["creditsAvailable"] = float(totals.credits)
            subject["creditsEarned"] = float(totals.credits)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": cred_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{doc_type.names['en']}{honours} {record.series} {record.number}",
        "issuer": issuer_profile(issuer, base_url=base_url),
        "validFrom": cr.rfc3339(signed.signed_at),
        "awardedDate": f"{record.award_date.isoformat()}T00:00:00Z",
        "credentialSubject": subject,
        "evidence": [{"id": signed.qr_text, "type": ["Evidence"], "name": "Signed QR record",
                      "description": "The diploma's signed QR code (COSE_Sign1): open the link to verify it with "
                                     "the registry; the same text verifies offline against the trust list."}],
        "credentialStatus": bitstring_status_entry(base_url=base_url, series=record.series, number=record.number,
                                                   revision=record.revision),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _numeric_date(text: str) -> int:
    try:
        value = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        raise CredentialError(f"credential: {text!r} is not a time YYYY-MM-DDTHH:MM:SSZ") from None
    return int(value.timestamp())


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def sign_credential(credential: Mapping[str, Any], *, signer: Signer, base_url: str, at: dt.datetime) -> str:
    """Secure a credential as a JWT (VC-JOSE-COSE §3.1.1 with OB 3.0 §8.2's header and claims).

    Args:
        credential: a credential from `build_diploma_credential` or `verify.bitstring.build_bitstring_status_list`.
        signer: the document signer of the institution (a status signer for a status list credential).
        base_url: the verification host: the header's `kid` is `credentials.key_url(base_url, signer.kid)`.
        at: the signing time (`iat`; aware).

    Returns:
        The compact JWS, media type `application/vc+jwt`.

    Raises:
        RecordError: `at` naive, or a signer of another algorithm than EdDSA or ES256.
        CredentialError: the credential lacks id, issuer, validFrom or credentialSubject.
    """
    if at.tzinfo is None:
        raise RecordError("at: must be timezone-aware")
    if signer.alg not in JWS_ALGS:
        raise RecordError(f"signer: algorithm {signer.alg} is not EdDSA or ES256")
    try:
        claims: dict[str, Any] = {"iss": _id_of(credential["issuer"]), "jti": credential["id"],
                                  "nbf": _numeric_date(credential["validFrom"]), "iat": int(at.timestamp())}
        subject = credential["credentialSubject"]
    except KeyError as exc:
        raise CredentialError(f"credential: missing {exc.args[0]}") from None
    if isinstance(subject, dict) and "id" in subject:
        claims["sub"] = subject["id"]
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"])
    payload = json.dumps({**credential, **claims}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # PyJWS types its key as a cryptography key; a registered Algorithm takes any key its prepare_key accepts.
    return _SIGNING.encode(payload, key=cast(Any, signer), algorithm=JWS_ALGS[signer.alg],
                           headers={"kid": cr.key_url(base_url, signer.kid)})


def verify_credential_jwt(token: str, *, trust_list: TrustList, at: dt.datetime,
                          usage: str = "document") -> dict[str, Any]:
    """Verify a JWT-secured credential of this service with PyJWT against the trust list.

    The header's `kid` link ends in the signer's kid (hex); every trust-list signer of `usage` with that kid is
    tried (a kid is only a hint, docs/FORMAT.md §4); the signer must chain to the root and be judged at `iat` as
    a record is at its signing time (usage period, revocation); the claims must agree with the credential (OB 3.0
    §8.2.4: iss, sub, jti, nbf), and `validFrom` must not lie after `at`.

    Args:
        token: the compact JWS (untrusted).
        trust_list: a verified `TrustList`.
        at: the time of the check (aware).
        usage: "document" for a diploma's credential, "status" for a status list credential.

    Returns:
        The credential (the payload without the JWT claims).

    Raises:
        CredentialError: not a JWS of this profile, or claims that disagree with the credential.
        UnknownSignerError, BadSignatureError, UntrustedSignerError, SignerPeriodError, SignerRevokedError: as
            steps 4, 5, 6, 8, 9 of a record.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise CredentialError("credential: not a compact JWS of at most 1 MiB")
    try:
        header = _VERIFYING.get_unverified_header(token)
    except PyJWTError:
        raise CredentialError("credential: not a compact JWS") from None
    kid_link = header.get("kid")
    if set(header) != {"alg", "kid", "typ"} or header.get("typ") != "JWT" or not isinstance(kid_link, str) \
            or header.get("alg") not in JWS_ALGS.values():
        raise CredentialError("credential: the header must be exactly alg (EdDSA or ES256), kid and typ JWT")
    try:
        kid = bytes.fromhex(kid_link.rsplit("/", 1)[-1])
    except ValueError:
        raise CredentialError("credential: the kid link must end in the signer's kid in hex") from None
    candidates = trust_list.candidates(kid, usage=usage)
    if not candidates:
        raise UnknownSignerError(f"no {usage} signer with kid {kid.hex()} in the trust list")
    verified: list[tuple[SignerEntry, dict[str, Any]]] = []
    for entry in candidates:
        try:
            decoded = _VERIFYING.decode_complete(token, key=entry.public_key, algorithms=list(JWS_ALGS.values()))
        except PyJWTError:
            continue
        verified.append((entry, json.loads(decoded["payload"])))
    if not verified:
        raise BadSignatureError("the credential's signature does not verify under any candidate signer")
    chained = [(e, p) for e, p in verified if e.chains_to_root]
    if not chained:
        raise UntrustedSignerError("the signer's certificate is not issued by the configured root")
    entry, payload = chained[0]
    return _check_claims(payload, entry, at)


def _check_claims(payload: Any, entry: SignerEntry, at: dt.datetime) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise CredentialError("credential: the payload must be a JSON object")
    claims = {k: payload.pop(k, None) for k in ("iss", "jti", "nbf", "iat", "sub", "exp")}
    if type(claims["iat"]) is not int:
        raise CredentialError("credential: iat (the signing time) is required")
    entry.check_at(dt.datetime.fromtimestamp(claims["iat"], tz=dt.UTC))
    subject = payload.get("credentialSubject")
    expected = {"iss": _id_of(payload.get("issuer")), "jti": payload.get("id"),
                "sub": subject.get("id") if isinstance(subject, dict) else None,
                "nbf": _numeric_date(payload.get("validFrom", ""))}
    for claim, value in expected.items():
        if claims[claim] != value:
            raise CredentialError(f"credential: the {claim} claim does not match the credential")
    if claims["nbf"] > at.timestamp():
        raise CredentialError("credential: validFrom lies after the time of the check")
    if claims["exp"] is not None and (type(claims["exp"]) is not int or claims["exp"] < at.timestamp()):
        raise CredentialError("credential: expired (validUntil has passed)")
    return payload


__all__ = ["MEDIA_TYPE", "OB_CONTEXT", "OB_SCHEMA", "VC_CONTEXT", "achievement_of", "build_diploma_credential",
           "issuer_profile", "sign_credential",
           "verify_credential_jwt"]
