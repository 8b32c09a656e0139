"""The fixed registry behind the sample phone photos: TEST ONLY keys, one college, five graduates, fixed times.

`build_registry(url)` makes exactly the same registry every time (Ed25519 signatures are deterministic, every time
is fixed, numbers come from one blank range in a fixed order), so the QR codes printed on the photographed inserts
are found in it with the same payload hashes: `tests/photos_demo/make.py` draws the photos from it once,
`tests/core/test_sample_photos.py` rebuilds it and checks each photo's verdict. Change nothing here without running
make.py again: another name, date or time gives other signatures, and every photo would then be NOT_IN_REGISTRY.

The story (seed 000: Rules items 17-19, 21-25, appendix 38):

    2026-07-01 09:00  five TVE diplomas issued on blanks ТКБ 0100001-0100005
    2026-08-03 10:00  duplicate No. 1 (ТКБ 0100006) instead of ТКБ 0100002, reported lost
    2026-08-10 11:00  ТКБ 0100003 corrected: the surname was typed "Жумабаев" for "Жұмабаев" (revision 2)
    2026-09-01 12:00  ТКБ 0100004 annulled
    2026-10-01 00:00  the photos are checked (`CHECK_AT`)

Everything here is TEST ONLY: the keys come from tests/support/keys.py, the people and the college are fictional.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select
from support.keys import entry, make_signer, trust_list

from verify.keys import KeySigner
from verify.registry.blanks import add_blank_range
from verify.registry.db import make_engine, upgrade_database
from verify.registry.documents import issue_document
from verify.registry.imports.load import import_graduates
from verify.registry.imports.parse import GraduateRow, ParseReport
from verify.registry.institutions import create_institution, create_officer
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from verify.registry.models import Graduate, InstitutionCreate, OfficerCreate
from verify.signerset import ScopedSigner
from verify.trust import TrustList

UTC = dt.UTC
BASE_URL = "https://v.edu.kz"
SIGNER: KeySigner = make_signer("sample phone photos")
"""TEST ONLY document signer (tests/support/keys.py), valid 2026-01-01 to 2029-01-01."""
TRUST_LIST: TrustList = trust_list((entry(SIGNER, label="TEST ONLY signer of the sample photos"),))
SCOPED_SIGNER = ScopedSigner(SIGNER, TRUST_LIST.signers[0])
"""The signer with its trust-list entry: what the registry signs with (it checks the scope)."""

ISSUED_AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
DUPLICATE_AT = dt.datetime(2026, 8, 3, 10, 0, tzinfo=UTC)
CORRECTED_AT = dt.datetime(2026, 8, 10, 11, 0, tzinfo=UTC)
ANNULLED_AT = dt.datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CHECK_AT = dt.datetime(2026, 10, 1, 0, 0, tzinfo=UTC)

COLLEGE_BIN = "030440515821"
COLLEGE_KK = "Медеу цифрлық технологиялар колледжі"
COLLEGE_RU = "Колледж цифровых технологий «Медеу»"
SERIES = "ТКБ"
AWARD = dt.date(2026, 6, 27)
GROUP = "ПО-23-1"

# (IIN, surname, name, patronymic, birth date, doc type, qualification), in issue order.
PEOPLE: tuple[tuple[str, str, str, str | None, dt.date, str, str], ...] = (
    ("050512607099", "Сейітқали", "Әлия", "Нұрланқызы", dt.date(2005, 5, 12), "TVE", "4S06130103"),
    ("040903585286", "Мұхамеджанов", "Ерғали", "Серікұлы", dt.date(2004, 9, 3), "TVE_HONOURS", "4S06130103"),
    ("040217519784", "Жумабаев", "Дәулет", "Асқарұлы", dt.date(2004, 2, 17), "TVE", "4S06130104"),
    ("050130683810", "Иванова", "Дарья", "Сергеевна", dt.date(2005, 1, 30), "TVE", "4S06130103"),
    ("051108632690", "Ким", "Виктория", None, dt.date(2005, 11, 8), "TVE", "4S06130103"),
)
CORRECT_SURNAME = "Жұмабаев"


@dataclass(frozen=True)
class Shown:
    """One document as a photo shows it: which revision, and what a verifier must answer.

    Attributes:
        name: the photo's file stem.
        number: the blank number (series `SERIES`); revision: the printed revision.
        verdict, status: the expected verdict and registry status code (None for a forgery).
        scene: how the photo was taken, for people.
    """

    name: str
    number: str
    revision: int
    verdict: str
    status: str | None
    scene: str


SHOWN: tuple[Shown, ...] = (
    Shown("1-valid-original", "0100001", 1, "VALID", "ORIGINAL_VALID",
          "the whole insert on a desk, slight tilt, warm light"),
    Shown("2-replaced-original", "0100002", 1, "REPLACED", "REPLACED",
          "the whole insert, rotated, a shadow across it"),
    Shown("3-duplicate", "0100006", 1, "VALID", "DUPLICATE_VALID",
          "the whole insert with the duplicate's stamp, a little out of focus"),
    Shown("4-corrected-old", "0100003", 1, "CORRECTED", "CORRECTED",
          "the insert printed before the correction, strong perspective"),
    Shown("5-corrected-new", "0100003", 2, "VALID", "ORIGINAL_VALID",
          "the reprint after the correction: a close-up of the right page, shaken"),
    Shown("6-annulled", "0100004", 1, "ANNULLED", "ANNULLED", "the whole insert, dim uneven light, JPEG noise"),
    Shown("7-altered", "0100005", 1, "BAD_SIGNATURE", None,
          "a forgery: the name in the code changed to match an altered insert, the signature kept"),
)
"""The seven photos, in order."""

ALTERED_NAME = ("Ким", "Валерия", None)
"""What the forger printed and put into the payload of ТКБ 0100005 instead of Ким Виктория."""


def build_registry(url: str) -> None:
    """Migrate the empty SQLite or PostgreSQL database at `url` and write the story of the module docstring."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            college = create_institution(session=session, institution_create=InstitutionCreate(
                bin=COLLEGE_BIN, name_kk=COLLEGE_KK, name_ru=COLLEGE_RU,
                name_en="Medeu College of Digital Technologies", kind="college", region="Алматы"), at=ISSUED_AT)
            head = create_officer(session=session, officer_create=OfficerCreate(
                username="medeu-head", full_name="TEST ONLY head", role="head"), institution=college, at=ISSUED_AT)
            # the honours diploma and its duplicate on red blanks (seed 000, Rules item 8), the rest on ordinary
            # ones: the same numbers as when the stock had one kind (the photos' codes hold them)
            for first, last, kind in (("0100001", "0100001", "ordinary"), ("0100002", "0100002", "honours"),
                                      ("0100003", "0100005", "ordinary"), ("0100006", "0100006", "honours"),
                                      ("0100007", "0100050", "ordinary")):
                add_blank_range(session=session, officer=head, series=SERIES, first=first, last=last, at=ISSUED_AT,
                                kind=kind)
            rows = tuple(GraduateRow(row=index, iin=iin, surname=surname, name=name, patronymic=patronymic,
                                     birth_date=birth, doc_type=doc_type, programme="06130100",
                                     qualification=qualification, honours=doc_type == "TVE_HONOURS",
                                     award_date=AWARD, group=GROUP)
                         for index, (iin, surname, name, patronymic, birth, doc_type, qualification)
                         in enumerate(PEOPLE, start=2))
            result = import_graduates(session=session, report=ParseReport(rows=rows, errors=()), institution=college,
                                      officer=head, at=ISSUED_AT)
            assert result.ok, result.errors
            graduate_ids = list(session.exec(select(Graduate.id).order_by(col(Graduate.id))))
            session.rollback()
            for graduate_id in graduate_ids:  # in PEOPLE order: blanks 0100001-0100005
                assert graduate_id is not None
                issue_document(session=session, officer=head, graduate_id=graduate_id, signer=SCOPED_SIGNER,
                               base_url=BASE_URL, at=ISSUED_AT, blank_series=SERIES)
            issue_duplicate(session=session, officer=head, series=SERIES, number="0100002", reason="lost",
                            signer=SCOPED_SIGNER, base_url=BASE_URL, at=DUPLICATE_AT, blank_series=SERIES)
            correct_document(session=session, officer=head, series=SERIES, number="0100003",
                             changes={"surname": CORRECT_SURNAME},
                             reason="the surname was typed with Russian letters (Жумабаев for Жұмабаев)",
                             signer=SCOPED_SIGNER, base_url=BASE_URL, at=CORRECTED_AT)
            annul_document(session=session, officer=head, series=SERIES, number="0100004",
                           basis="order of the director No. 45: issued in error", at=ANNULLED_AT)
    finally:
        engine.dispose()


def write_checking_folder(out: Path) -> dict[str, str]:
    """Write what checking the photos by hand needs into `out`: the rebuilt registry, the TEST ONLY trust list and
    root; return the `verify` global options that use them (`--base-url`, `--trust-list`, `--root-cert`,
    `--database-url`, `--keys-dir`).

    The photos are signed by TEST ONLY keys for the host `BASE_URL`, not by a `make demo` key store (whose keys are
    made on each machine): against the demo's trust list they answer UNKNOWN_SIGNER. README "Sample photos".
    """
    from cryptography.hazmat.primitives import serialization
    from support.keys import ROOT, ROOT_KEY

    out.mkdir(parents=True, exist_ok=True)
    database = out / "verify.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database.resolve()}"
    build_registry(url)
    (out / "trust-list.json").write_text(json.dumps(TRUST_LIST.sign(ROOT_KEY)), "utf-8")
    (out / "root.crt").write_bytes(ROOT.public_bytes(serialization.Encoding.PEM))
    return {"--base-url": BASE_URL, "--trust-list": str(out / "trust-list.json"), "--root-cert": str(out / "root.crt"),
            "--database-url": url, "--keys-dir": str(out / "no-keys")}


def main(argv: list[str] | None = None) -> int:
    """`PYTHONPATH=tests python -m photos_demo.world OUT`: write the checking folder, print the command to run."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: PYTHONPATH=tests python -m photos_demo.world OUT_DIR", file=sys.stderr)
        return 2
    options = write_checking_folder(Path(args[0]))
    flags = " ".join(f"{name} {value}" for name, value in options.items())
    print(f"verify {flags} scan --at {CHECK_AT.isoformat()} tests/photos_demo/*.jpg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
