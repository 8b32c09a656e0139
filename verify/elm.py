"""A diploma as a Europass Digital Credential: JSON-LD of the European Learning Model (ELM) version 3.2.

For graduates who study or work in the EU: the European Commission's European Learning Model v3.2 (the data model
of Europass Digital Credentials, EDC; context `http://data.europa.eu/snb/model/context/edc-ap`, application profile
`http://data.europa.eu/snb/model/ap/edc-generic-full`, checked by the Commission with SHACL: credentialSchema type
`ShaclValidator2017`), on the VC Data Model 2.0 envelope that ELM 3.2 uses.

The diploma is a `LearningAchievement` claimed of a `Person` (credentialSubject: the Cyrillic name in "kk", the
Latin name by the passport rule in "en"), awarded by the institution (`AwardingProcess`, `awardingBody` an
`Organisation` with the BIN as its legal `registration` in Kazakhstan), specified by a `Qualification` (the
programme, its names from the classifier beside the code); each appendix row is a part (`hasPart`) specified by a
`LearningAchievementSpecification` (hours as `volumeOfLearning`, credits as `creditPoint` in the Kazakhstan
credit framework) and derived from a `LearningAssessment` whose `grade` is a `Note` (letter, points, percent,
five-point word). No EQF level is stated: Kazakhstan's qualifications are not referenced to the EQF.

What this export is not: an EDC issued through the Commission's EDC issuer is sealed with a qualified electronic
seal (eIDAS, JAdES); this service has no qualified seal, so the export is the credential's content for the
holder's Europass library, secured, when asked, by the institution's document signer as a JWT
(`verify.vc.sign_credential`), verifiable against this service's trust list, not against the EU trusted lists
(docs/INTEROP.md, Limits).

    build_edc_credential(signed, issuer=, base_url=, issued_at=, ...) -> dict
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from . import credentials as cr
from .appendix import Appendix, AppendixItem
from .doctypes import get_document_type
from .errors import RecordError
from .grades import FIVE_POINT_WORDS, PASS_WORDS
from .issue import SignedRecord
from .translit import latin_name

ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
ELM_VERSION = "3.2"
EDC_SCHEMA = {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}
_AUTHORITY = "http://publications.europa.eu/resource/authority"
GENERIC_PROFILE = {"id": "http://data.europa.eu/snb/credential/e34929035b", "type": "Concept",
                   "inScheme": {"id": "http://data.europa.eu/snb/credential/25831c2", "type": "ConceptScheme"},
                   "prefLabel": {"en": "Generic"}}
_LANGUAGE_CODES = {"kk": ("KAZ", "Kazakh"), "ru": ("RUS", "Russian"), "en": ("ENG", "English")}


def _concept(scheme: str, code: str, label: str) -> dict[str, Any]:
    return {"id": f"{_AUTHORITY}/{scheme}/{code}", "type": "Concept", "notation": code,
            "inScheme": {"id": f"{_AUTHORITY}/{scheme}", "type": "ConceptScheme"}, "prefLabel": {"en": label}}


KAZAKHSTAN = _concept("country", "KAZ", "Kazakhstan")


def _urn(namespace: str, *parts: object) -> str:
    """A stable `urn:uuid:` (UUID version 5, RFC 9562 §5.5) from the credential's link and a node's name."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, namespace + '#' + '/'.join(str(p) for p in parts))}"


def _lang_map(names: Mapping[str, str] | None, fallback: str) -> dict[str, str]:
    out = {k: v for k, v in (names or {}).items() if k in cr.LANGUAGES and v}
    return out or {"en": fallback}


def _grade_note(item: AppendixItem) -> dict[str, str]:
    grade = item.grade
    five = grade.effective_five_point()
    out: dict[str, str] = {}
    for lang in cr.LANGUAGES:
        parts: list[str] = []
        band = grade.band()
        if band is not None:
            parts.append(f"{band.letter} ({band.points / 100:.2f})")
        if grade.percent is not None:
            parts.append(f"{grade.percent} %")
        if five is not None:
            parts.append(f"{five} ({FIVE_POINT_WORDS[five][lang]})")
        if grade.passed is not None and five is None:
            parts.append(PASS_WORDS[grade.passed][lang])
        out[lang] = "; ".join(parts)
    return out


def _part(ns: str, index: int, item: AppendixItem, credit_framework: dict[str, Any]) -> dict[str, Any]:
    title = _lang_map(item.names, item.kind.label)
    spec: dict[str, Any] = {"id": _urn(ns, "item", index, "spec"), "type": "LearningAchievementSpecification",
                            "title": title}
    if item.hours is not None:
        spec["volumeOfLearning"] = f"PT{item.hours}H"
    if item.credits is not None:
        spec["creditPoint"] = [{"id": _urn(ns, "item", index, "credit"), "type": "CreditPoint",
                                "framework": credit_framework, "point": f"{item.credits.normalize():f}"}]
    return {
        "id": _urn(ns, "item", index),
        "type": "LearningAchievement",
        "title": title,
        "specifiedBy": spec,
        "wasDerivedFrom": [{"id": _urn(ns, "item", index, "assessment"), "type": "LearningAssessment",
                            "title": title,
                            "grade": {"id": _urn(ns, "item", index, "grade"), "type": "Note",
                                      "noteLiteral": _grade_note(item)}}],
    }


def build_edc_credential(signed: SignedRecord, *, issuer: cr.Issuer, base_url: str, issued_at: dt.datetime,
                         programme_names: Mapping[str, str] | None = None,
                         appendix: Appendix | None = None) -> dict[str, Any]:
    """A diploma (and its appendix) as an ELM 3.2 European Digital Credential (unsigned JSON-LD).

    Args:
        signed: the diploma's `SignedRecord` (the revision stated).
        issuer: the institution (`credentials.Issuer`), the record's.
        base_url: the verification host (the credential's `id` is its link, as in verify.vc).
        issued_at: when the export is made (`issued`; aware).
        programme_names: the programme's names {"kk", "ru", "en"} from the classifier, or None (then the code).
        appendix: the diploma's `Appendix`, or None.

    Returns:
        The credential as a JSON object (`@context` VCDM 2.0 + ELM, type EuropeanDigitalCredential).

    Raises:
        RecordError: the issuer or the appendix is not the record's, or `issued_at` is naive.
    """
    record = signed.record
    if issuer.bin != record.institution_bin:
        raise RecordError("credential: the issuer is not the record's institution")
    if appendix is not None and (appendix.diploma.series, appendix.diploma.number, appendix.diploma.revision) != \
            (record.series, record.number, record.revision):
        raise RecordError("credential: the appendix belongs to another diploma revision")
    doc_type = get_document_type(record.doc_type)
    assert doc_type is not None
    cred_id = cr.credential_url(base_url, record.series, record.number, record.revision)
    ns = cred_id + "/edc"
    latin = latin_name(record.holder)
    organisation = {
        "id": _urn(ns, "organisation", issuer.bin), "type": "Organisation",
        "legalName": dict(issuer.names),
        "registration": {"id": _urn(ns, "organisation", issuer.bin, "registration"), "type": "LegalIdentifier",
                          "notation": issuer.bin, "spatial": KAZAKHSTAN},
        "location": [{"id": _urn(ns, "organisation", issuer.bin, "location"), "type": "Location",
                      "address": [{"id": _urn(ns, "organisation", issuer.bin, "address"), "type": "Address",
                                   "countryCode": KAZAKHSTAN}]}],
        "homepage": [{"id": _urn(ns, "organisation", issuer.bin, "homepage"), "type": "WebResource",
                      "contentURL": cr.issuer_url(base_url, issuer.bin)}],
    }
    credit_framework = {"id": f"{cr.base(base_url)}/api/v1/credit-frameworks/kz", "type": "Concept",
                        "prefLabel": {"en": "Academic credits of the Republic of Kazakhstan"}}
    title = {lang: doc_type.names[lang] + (f": {programme_names[lang]}" if programme_names and
                                           programme_names.get(lang) else f" ({record.programme})")
             for lang in cr.LANGUAGES}
    achievement: dict[str, Any] = {
        "id": _urn(ns, "achievement"), "type": "LearningAchievement", "title": title,
        "awardedBy": {"id": _urn(ns, "awarding"), "type": "AwardingProcess", "awardingBody": [organisation],
                      "awardingDate": f"{record.award_date.isoformat()}T00:00:00Z"},
        "specifiedBy": {"id": _urn(ns, "qualification"), "type": "Qualification",
                        "title": _lang_map(programme_names, record.programme),
                        "identifier": [{"id": _urn(ns, "qualification", "code"), "type": "Identifier",
                                        "notation": record.programme, "schemeName": "programme code"}]},
        "identifier": [{"id": _urn(ns, "document"), "type": "Identifier", "notation": f"{record.series} "
                        f"{record.number}", "schemeName": "diploma series and number"}],
    }
    if appendix is not None:
        achievement["hasPart"] = [_part(ns, i, item, credit_framework) for i, item in enumerate(appendix.items, 1)]
    person: dict[str, Any] = {
        "id": _urn(ns, "person"), "type": "Person",
        "fullName": {"kk": record.holder.full_name, "en": latin.full_name},
        "familyName": {"kk": record.holder.surname, "en": latin.surname},
        "givenName": {"kk": record.holder.name, "en": latin.name},
        "hasClaim": [achievement],
    }
    if record.holder.patronymic is not None and latin.patronymic is not None:
        person["patronymicName"] = [{"kk": record.holder.patronymic, "en": latin.patronymic}]
    languages = [_concept("language", code, label) for code, label in _LANGUAGE_CODES.values()]
    return {
        "@context": [cr.VC_CONTEXT, ELM_CONTEXT],
        "id": ns,
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSchema": [EDC_SCHEMA],
        "credentialProfiles": [GENERIC_PROFILE],
        "issuer": organisation,
        "validFrom": cr.rfc3339(signed.signed_at),
        "issued": cr.rfc3339(issued_at),
        "credentialSubject": person,
        "displayParameter": {"id": _urn(ns, "display"), "type": "DisplayParameter",
                             "title": {lang: f"{doc_type.names[lang]} {record.series} {record.number}"
                                       for lang in cr.LANGUAGES},
                             "language": languages, "primaryLanguage": languages[0]},
    }
