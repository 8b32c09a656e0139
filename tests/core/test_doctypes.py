"""Document types (verify/doctypes.py) against the seeds' own words (issue 13 item 6).

* every Kazakh name is the seed's: seed 000 Rules items 4-5 for the college diplomas and their honours forms,
  seed 000 appendix 37 for the анықтама, seed 001 item 7 rows 1-9 for the higher-education series (first letter
  capitalised; row 9's misprint "орынан" printed as rows 3-5 and 8 write it);
* CMD is a "куәлік" (Russian "свидетельство"), not a "сертификат"; CPR is the one "сертификат";
* post-secondary honours is a type of its own that carries honours; the анықтама has its fixed series REG, no QR
  on its form, and numbers from the registry;
* every type's number is seven digits, and payload ids are unique.
"""

from __future__ import annotations

import pytest

from verify.doctypes import (
    DOCUMENT_TYPES,
    INCOMPLETE_SERIES,
    NUMBER_WIDTH,
    NumberingMode,
    all_fixed_series,
    document_type_for_series,
    get_document_type,
    get_document_type_by_id,
)

# The seeds' words, typed from /work/shared/seeds (lower case as the items write them inside a sentence).
SEED_KAZAKH = {
    # seed 000, Rules item 4
    "TVE": "техникалық және кәсіптік білім туралы диплом",
    "POST_SECONDARY": "орта білімнен кейінгі білім туралы диплом",
    # seed 000, Rules item 5
    "TVE_HONOURS": "техникалық және кәсіптік білім туралы үздік диплом",
    "POST_SEC_HONOURS": "орта білімнен кейінгі білім туралы үздік диплом",
    # seed 000, appendix 37, its heading "Білім алуды аяқтамаған тұлғаларға берілетін анықтама нысаны"
    "INCOMPLETE": "білім алуды аяқтамаған тұлғаларға берілетін анықтама",
    # seed 001, item 7, rows 1-9
    "BD": "бакалавр дәрежесі берілетін жоғары білім туралы диплом",
    "BQ": "біліктілік берілетін жоғары білім туралы диплом",
    "MD": "магистр дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
    "MBA": "іскерлік әкімшілік жүргізу магистрі дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
    "DBA": "іскерлік әкімшілік жүргізу докторы дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
    "CMD": "магистр дипломына куәлік",
    "CPR": "педагогикалық қайта даярлау туралы сертификат",
    "PHD": "философия докторы (PhD) дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
    "PD": "бейіні бойынша доктор дәрежесі берілетін жоғары оқу орынан кейінгі білім туралы диплом",
}
MISPRINTS = {"PD": ("оқу орынан", "оқу орнынан")}  # seed 001 item 7 row 9 against rows 3-5 and 8


@pytest.mark.parametrize("code", sorted(SEED_KAZAKH))
def test_every_kazakh_name_is_the_seed_s(code: str) -> None:
    doc_type = get_document_type(code)
    assert doc_type is not None
    expected = SEED_KAZAKH[code]
    if code in MISPRINTS:
        expected = expected.replace(*MISPRINTS[code])
    assert doc_type.names["kk"] == expected[0].upper() + expected[1:]


def test_every_type_is_listed() -> None:
    assert {t.code for t in DOCUMENT_TYPES} == set(SEED_KAZAKH)
    assert all(set(t.names) == {"kk", "ru", "en"} and all(t.names.values()) for t in DOCUMENT_TYPES)


def test_cmd_is_a_kuelik_and_only_cpr_a_certificate() -> None:
    cmd, cpr = get_document_type("CMD"), get_document_type("CPR")
    assert cmd is not None and cpr is not None
    assert "куәлік" in cmd.names["kk"] and "сертификат" not in cmd.names["kk"].lower()
    assert cmd.names["ru"].startswith("Свидетельство") and "ертификат" not in cmd.names["ru"]
    assert [t.code for t in DOCUMENT_TYPES if "сертификат" in t.names["kk"].lower()] == ["CPR"]


def test_post_secondary_honours_is_its_own_type() -> None:
    honours, plain = get_document_type("POST_SEC_HONOURS"), get_document_type("POST_SECONDARY")
    assert honours is not None and plain is not None
    assert (honours.honours, plain.honours) == (True, False)
    assert honours.level == plain.level == "tve" and honours.numbering is NumberingMode.BLANK
    assert [t.code for t in DOCUMENT_TYPES if t.honours] == ["TVE_HONOURS", "POST_SEC_HONOURS"]
    assert get_document_type_by_id(4) is honours


def test_the_certificate_of_incomplete_studies() -> None:
    """Seed 000 appendix 37: a registration number and an issue date; no QR code on the form, no blank."""
    cert = get_document_type("INCOMPLETE")
    assert cert is not None
    assert (cert.series, cert.numbering, cert.qr_required, cert.honours) == (
        INCOMPLETE_SERIES, NumberingMode.SERVICE, False, False)
    assert cert.number_label is not None and cert.number_label["kk"] == "Тіркеу нөмірі"
    assert document_type_for_series("REG") is cert and "REG" in all_fixed_series()
    assert get_document_type_by_id(5) is cert


def test_numbers_are_seven_digits_and_ids_unique() -> None:
    assert NUMBER_WIDTH == 7
    assert {t.number_width for t in DOCUMENT_TYPES} == {7}
    ids = [t.cbor_id for t in DOCUMENT_TYPES]
    assert len(set(ids)) == len(ids)
    assert len({t.code for t in DOCUMENT_TYPES}) == len(DOCUMENT_TYPES)
    assert all(len(t.code) <= 16 for t in DOCUMENT_TYPES)  # document_types.code is VARCHAR(16)
