"""The diploma as a VCDM 2.0 / Open Badges 3.0 credential (verify/vc.py), with its Bitstring Status List
(verify/bitstring.py): the official JSON Schemas validate it, an independent JOSE library (joserfc) verifies the
signature PyJWT made with the document Signer, and the status bit follows the registry's statuses."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import jwt
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError as JoseBadSignature
from joserfc.jwk import ECKey, OKPKey
from support.appendixdata import SIGNED_AT, typical_appendix
from support.keys import INSTITUTION, entry, make_signer, sample_record, trust_list

from verify.bitstring import build_bitstring_status_list, status_of_entry
from verify.credentials import ACHIEVEMENT_TYPES, Issuer, signer_jwk
from verify.doctypes import DOCUMENT_TYPES, get_document_type
from verify.errors import BadSignatureError, CredentialError, RecordError, UnknownSignerError
from verify.issue import sign_record
from verify.statuslist import NumberStatus, Successor
from verify.vc import build_diploma_credential, sign_credential, verify_credential_jwt

BASE = "https://v.edu.kz"
AT = SIGNED_AT + dt.timedelta(days=1)
INTEROP = Path(__file__).resolve().parent.parent / "interop"
EDDSA = make_signer("vc eddsa")
ES256 = make_signer("vc es256", alg="ES256")
STATUS = make_signer("vc status signer")
TRUST = trust_list((entry(EDDSA, label="eddsa"), entry(ES256, label="es256"),
                    dataclasses.replace(entry(STATUS, label="status"), usage="status")))
ISSUER = Issuer(INSTITUTION, {"kk": "Тест университеті", "ru": "Тестовый университет", "en": "Test University"})
DIPLOMA = sign_record(sample_record(), signer=EDDSA, base_url=BASE, at=SIGNED_AT)
PROGRAMME = {"kk": "Ақпараттық жүйелер", "ru": "Информационные системы", "en": "Information systems"}
# joserfc 1.8 warns that RFC 9864 deprecates the polymorphic "EdDSA" name; VC-JOSE-COSE and OB 3.0 use it.
EDDSA_NAME = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")
SCHEMAS = {
    "verifiable-credential-schema.json": "8a3fa1948fb37d9ca7fd30d602549c9e8d59feb361beed6edb05e9711d10e83a",
    "ob_v3p0_achievementcredential_schema.json": "86a141ff0c1b1a6b4e08460f786a8ffe0f737d8256a86243d134a2e6450efe4d",
}


def _credential(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"issuer": ISSUER, "base_url": BASE, "programme_names": PROGRAMME,
                              "appendix": typical_appendix(DIPLOMA)}
    kwargs.update(changes)
    return build_diploma_credential(DIPLOMA, **kwargs)


def _validator(name: str) -> jsonschema.protocols.Validator:
    data = (INTEROP / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMAS[name], f"{name} differs from tests/interop/SOURCES.md"
    schema = json.loads(data)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


VCDM = _validator("verifiable-credential-schema.json")
OB3 = _validator("ob_v3p0_achievementcredential_schema.json")


@pytest.mark.parametrize("appendix", [True, False])
def test_the_credential_validates_against_the_vcdm_2_and_ob_3_schemas(appendix: bool) -> None:
    credential = _credential(appendix=typical_appendix(DIPLOMA) if appendix else None)
    VCDM.validate(credential)
    OB3.validate(credential)
    assert isinstance(OB3, jsonschema.Draft201909Validator) and isinstance(VCDM, jsonschema.Draft202012Validator)


@pytest.mark.parametrize("doc_type", [t.code for t in DOCUMENT_TYPES])
def test_every_document_type_makes_a_valid_credential(doc_type: str) -> None:
    """Each type of verify.doctypes (the анықтама and post-secondary honours too) has its OB 3.0 achievement type."""
    found = get_document_type(doc_type)
    assert found is not None
    programme = "6B06101" if found.level == "higher" else "06130100"
    record = sample_record(doc_type=doc_type, series=found.series or "ТКБ", programme=programme,
                           honours=found.honours)
    signed = sign_record(record, signer=EDDSA, base_url=BASE, at=SIGNED_AT)
    credential = build_diploma_credential(signed, issuer=ISSUER, base_url=BASE)
    VCDM.validate(credential)
    OB3.validate(credential)
    assert credential["credentialSubject"]["achievement"]["achievementType"] == ACHIEVEMENT_TYPES[doc_type]


def test_the_schemas_refuse_a_broken_credential() -> None:
    for broken in ({k: v for k, v in _credential().items() if k != "validFrom"},
                   {**_credential(), "type": ["VerifiableCredential"]},
                   {**_credential(), "@context": ["https://www.w3.org/ns/credentials/v2"]}):
        with pytest.raises(jsonschema.ValidationError):
            OB3.validate(broken)
    with pytest.raises(jsonschema.ValidationError):
        VCDM.validate({k: v for k, v in _credential().items() if k != "credentialSubject"})


def test_names_grades_status_and_never_an_iin() -> None:
    credential = _credential()
    subject = credential["credentialSubject"]
    names = [i["identityHash"] for i in subject["identifier"]]
    assert names == ["Әбдірахманова Гүлнұр Серікқызы", "ABDIRAKHMANOVA GULNUR SERIKKYZY"]
    assert subject["achievement"]["achievementType"] == "BachelorDegree"
    assert subject["achievement"]["name"] == "Higher education diploma with the degree of Bachelor: Information systems"
    assert [r.get("value") for r in subject["result"][:3]] == ["A", "A-", "B+"]
    assert subject["result"][-1]["resultDescription"].endswith("#gpa")
    assert credential["credentialStatus"] == {
        "id": f"{BASE}/api/v1/status-lists/BD/bitstring/r1#12345", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "12345",
        "statusListCredential": f"{BASE}/api/v1/status-lists/BD/bitstring/r1"}
    assert credential["evidence"][0]["id"] == DIPLOMA.qr_text
    assert "IIN" not in json.dumps(credential)


def test_another_institution_or_appendix_is_refused() -> None:
    with pytest.raises(RecordError, match="issuer"):
        _credential(issuer=Issuer("990340001121", {"en": "Other"}))
    other = sign_record(sample_record(number="0012346"), signer=EDDSA, base_url=BASE, at=SIGNED_AT)
    with pytest.raises(RecordError, match="appendix"):
        _credential(appendix=typical_appendix(other))


def _independent_key(signer: Any) -> OKPKey | ECKey:
    jwk = signer_jwk(next(s for s in TRUST.signers if s.kid == signer.kid))
    return OKPKey.import_key(jwk) if jwk["kty"] == "OKP" else ECKey.import_key(jwk)


@EDDSA_NAME
@pytest.mark.parametrize("signer", [EDDSA, ES256], ids=["EdDSA", "ES256"])
def test_joserfc_verifies_what_pyjwt_signed_with_the_document_signer(signer: Any) -> None:
    credential = _credential()
    token = sign_credential(credential, signer=signer, base_url=BASE, at=AT)
    alg = "EdDSA" if signer is EDDSA else "ES256"
    verified = jws.deserialize_compact(token, _independent_key(signer), algorithms=[alg])
    assert verified.headers() == {"alg": alg, "kid": f"{BASE}/api/v1/keys/{signer.kid.hex()}", "typ": "JWT"}
    payload = json.loads(verified.payload)
    assert {k: payload.pop(k) for k in ("iss", "jti", "sub", "nbf", "iat")} == {
        "iss": credential["issuer"]["id"], "jti": credential["id"], "sub": credential["credentialSubject"]["id"],
        "nbf": int(SIGNED_AT.timestamp()), "iat": int(AT.timestamp())}
    assert payload == credential
    VCDM.validate(payload)
    OB3.validate(payload)


@EDDSA_NAME
def test_joserfc_refuses_a_changed_grade() -> None:
    token = sign_credential(_credential(), signer=EDDSA, base_url=BASE, at=AT)
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["credentialSubject"]["result"][0]["value"] = "B"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(JoseBadSignature):
        jws.deserialize_compact(f"{header}.{forged}.{signature}", _independent_key(EDDSA), algorithms=["EdDSA"])
    with pytest.raises(BadSignatureError):
        verify_credential_jwt(f"{header}.{forged}.{signature}", trust_list=TRUST, at=AT)


def test_the_signer_path_equals_pyjwts_own_eddsa_signing() -> None:
    """Ed25519 is deterministic: PyJWT's own EdDSA with the private key gives the same token as the Signer path."""
    credential = _credential(appendix=None)
    token = sign_credential(credential, signer=EDDSA, base_url=BASE, at=AT)
    header = jwt.get_unverified_header(token)
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    own = jwt.api_jws.PyJWS().encode(payload, EDDSA.private_key, algorithm="EdDSA", headers={"kid": header["kid"]})
    assert own == token


def test_our_verifier_checks_signer_and_claims() -> None:
    credential = _credential()
    token = sign_credential(credential, signer=ES256, base_url=BASE, at=AT)
    assert verify_credential_jwt(token, trust_list=TRUST, at=AT) == credential
    with pytest.raises(UnknownSignerError):
        verify_credential_jwt(token, trust_list=trust_list((entry(EDDSA, label="eddsa"),)), at=AT)
    with pytest.raises(UnknownSignerError):  # a document signer's credential is not a status list
        verify_credential_jwt(token, trust_list=TRUST, at=AT, usage="status")
    with pytest.raises(CredentialError, match="validFrom"):
        verify_credential_jwt(token, trust_list=TRUST, at=SIGNED_AT - dt.timedelta(days=1))
    lying = sign_credential({**credential, "id": "https://elsewhere.example/1"}, signer=ES256, base_url=BASE, at=AT)
    parts = lying.split(".")
    claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=="))
    claims["jti"] = credential["id"]
    resigned = jwt.api_jws.PyJWS().encode(json.dumps(claims).encode(), ES256.private_key, algorithm="ES256",
                                          headers={"kid": f"{BASE}/api/v1/keys/{ES256.kid.hex()}"})
    with pytest.raises(CredentialError, match="jti"):
        verify_credential_jwt(resigned, trust_list=TRUST, at=AT)
    for bad in ("", "a.b", "x" * 10):
        with pytest.raises(CredentialError):
            verify_credential_jwt(bad, trust_list=TRUST, at=AT)


ROWS: list[tuple[str, NumberStatus | None]] = [
    ("0012345", None),
    ("0012346", NumberStatus(annulled_on=dt.date(2026, 7, 2))),
    ("0012347", NumberStatus(replaced_by=Successor("BD", "0012349", dt.date(2026, 7, 3), "lost"))),
    ("0012348", NumberStatus(current_revision=2, corrected_on=dt.date(2026, 7, 4))),
    ("0012349", NumberStatus()),
]


@pytest.mark.parametrize(("number", "revision", "revoked"), [
    ("0012345", 1, False), ("0012346", 1, True), ("0012347", 1, True), ("0012348", 1, True), ("0012348", 2, False),
    ("0012349", 1, False), ("0012345", 2, True),
])
def test_the_bit_of_each_status(number: str, revision: int, revoked: bool) -> None:
    status_list = build_bitstring_status_list("BD", ROWS, revision=revision, base_url=BASE, issued_at=AT)
    record = sample_record(number=number, revision=revision)
    signed = sign_record(record, signer=EDDSA, base_url=BASE, at=SIGNED_AT)
    credential = build_diploma_credential(signed, issuer=ISSUER, base_url=BASE)
    assert status_of_entry(status_list, credential["credentialStatus"]) is revoked


@EDDSA_NAME
def test_the_status_list_credential_is_signed_by_the_status_signer_and_validates() -> None:
    status_list = build_bitstring_status_list("BD", ROWS, revision=1, base_url=BASE, issued_at=AT)
    VCDM.validate(status_list)
    token = sign_credential(status_list, signer=STATUS, base_url=BASE, at=AT)
    assert verify_credential_jwt(token, trust_list=TRUST, at=AT, usage="status") == status_list
    with pytest.raises(UnknownSignerError):
        verify_credential_jwt(token, trust_list=TRUST, at=AT)  # a status signer signs no diploma credential
    verified = jws.deserialize_compact(token, _independent_key(STATUS), algorithms=["EdDSA"])
    assert json.loads(verified.payload)["credentialSubject"]["encodedList"].startswith("u")
