"""The registry stages of the demo: accounts, blanks, imports, issue, print sheets, the lifecycle, the inserts.

Each stage is a function of the registry session and the sample data (`verify.demo.sampledata`), called in order
by `verify.demo.pipeline.run_demo`; every write goes through the registry's services (one transaction and audit
event each), exactly as an officer's would.

Sources: seed 000 Rules items 7, 10, 17-19 (blanks, series and number, the 3 x 3 cm QR code), 21-25 (duplicates),
appendix 38 (corrections); seed 001 item 7 (service numbers, accounts of responsible persons).
"""

from __future__ import annotations

import datetime as dt
import getpass
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..errors import Error
from ..status import Verdict

if TYPE_CHECKING:  # the registry, Pillow and tqdm are imported when a stage runs
    from sqlmodel import Session
    from tqdm import tqdm

    from ..registry.accounts import PasswordHashing
    from ..registry.models import Institution, Officer
    from ..signerset import SignerChooser
    from .sampledata import Export, SampleData, SampleGraduate

BLANK_SERIES: Final = "ТКБ"
"""The blank series the colleges receive: the first development TVE series (`verify.doctypes`)."""
ADMIN_USERNAME: Final = "admin"
CAPTION_CHARS: Final = ("".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0x400, 0x500))
                        + "—…×%№«»–·")
"""The characters of the print sheets' captions (Latin, Cyrillic with the Kazakh letters, punctuation)."""


@dataclass(frozen=True, slots=True)
class Account:
    """A sign-in account made for this run; the password is shown once and never written to a file."""

    username: str
    password: str
    role: str
    institution: str | None


@dataclass
class World:
    """The registry rows made for the sample institutions, by BIN: each institution's registrar (`officers`: receives
    blanks, imports, issues, prepares applications) and head (`heads`: approves them)."""

    institutions: dict[str, Institution] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    heads: dict[str, Officer] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pick:
    """A showcase document chosen in the registry, before its insert is drawn.

    Attributes:
        role, title: what it shows ("valid-original", ...) and for people.
        document_id, revision: the document and the revision shown.
        expected, status: the verdict and the registry status it must get.
    """

    role: str
    title: str
    document_id: int
    revision: int
    expected: Verdict
    status: str


@dataclass(frozen=True, slots=True)
class Drawn:
    """A showcase document whose insert is drawn: the pick, what the insert shows, and the picture's path."""

    pick: Pick
    institution: str
    series: str
    number: str
    qr_text: str
    insert: Path


def now() -> dt.datetime:
    """The current time, aware UTC."""
    return dt.datetime.now(dt.UTC)


def progress_bar(total: int, desc: str, unit: str) -> tqdm[Any]:
    """A tqdm bar on standard error, indented under the stage line."""
    from tqdm import tqdm

    return tqdm(total=total, desc=f"        {desc}", unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False,
                mininterval=0.5)


def make_accounts(session: Session, data: SampleData, hashing: PasswordHashing,
                  accounts: list[Account]) -> World:
    """The institutions, the administrator, and a head and a registrar per institution, each with a new password.

    The head's username is the institution's (`sample.username`), the registrar's the same with "-registrar". These
    are the operator's own actions, audited as "operator:<OS user>" (issue 13, item 3).
    """
    from ..registry.accounts import create_admin, set_officer_password
    from ..registry.institutions import create_institution, create_officer
    from ..registry.models import InstitutionCreate, OfficerCreate

    world = World()
    at, actor = now(), operator_actor()
    password = _password()
    create_admin(session=session, username=ADMIN_USERNAME, full_name="Demo administrator (the ministry)",
                 password=password, hashing=hashing, at=at, actor=actor)
    accounts.append(Account(ADMIN_USERNAME, password, "administrator", None))
    with progress_bar(len(data.institutions), "accounts", "account") as bar:
        for sample in data.institutions:
            institution = create_institution(session=session, institution_create=InstitutionCreate(
                bin=sample.bin, name_kk=sample.name_kk, name_ru=sample.name_ru, name_en=sample.name_en,
                kind=sample.kind, region=sample.region), at=at, actor=actor)
            world.institutions[sample.bin] = institution
            for username, role, people in ((sample.username, "head", world.heads),
                                           (f"{sample.username}-registrar", "registrar", world.officers)):
                officer = create_officer(session=session, officer_create=OfficerCreate(
                    username=username, full_name=f"Demo {role}, {sample.name_en}", role=role),
                    institution=institution, at=at, actor=actor)
                password = _password()
                set_officer_password(session=session, officer=officer, password=password, hashing=hashing, at=at,
                                     actor=actor)
                people[sample.bin] = officer
                accounts.append(Account(username, password, role, sample.name_en))
            bar.update()
    return world


def operator_actor() -> str:
    """The demo's operator as the audit log names them: "operator:<OS user>" (never an officer)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"operator:{user}"[:64]


def _password() -> str:
    """16 random URL-safe characters (96 bits), made for this run."""
    return secrets.token_urlsafe(12)


def receive_blanks(session: Session, data: SampleData, world: World) -> None:
    """Each college receives as many blanks as it has graduates and 10 % more (10 at least): ordinary ones, and red
    honours blanks for its graduates with honours and their duplicates (seed 000, Rules item 8)."""
    from ..registry.blanks import add_blank_range

    at = now()
    colleges = [i for i in data.institutions if i.kind == "college"]
    for index, college in enumerate(colleges, start=1):
        graduates = data.graduates_of(college.bin)
        honours = sum(1 for g in graduates if g.honours)
        count = len(graduates) - honours
        first = index * 100_000 + 1
        add_blank_range(session=session, officer=world.officers[college.bin], series=BLANK_SERIES, first=first,
                        last=first + count + max(10, count // 10) - 1, at=at)
        red = index * 100_000 + 90_001
        add_blank_range(session=session, officer=world.officers[college.bin], series=BLANK_SERIES, first=red,
                        last=red + honours + 9, at=at, kind="honours")


def import_exports(session: Session, export: Export, world: World) -> None:
    """Import each institution's export: the CSV for even positions (0, 2, ...), the XLSX for odd ones, each with
    its graduates' appendices (`<username>-appendix.csv`, written beside the export, `verify.demo.transcripts`)."""
    from ..registry.appendices import import_with_appendix
    from ..registry.imports.appendix import parse_appendix
    from ..registry.imports.parse import parse_graduates
    from .transcripts import appendix_csv

    at = now()
    with progress_bar(len(export.data.graduates), "import", "row") as bar:
        for index, sample in enumerate(export.data.institutions):
            path = (export.csv if index % 2 == 0 else export.xlsx)[sample.bin]
            appendix_path = export.directory / f"{sample.username}-appendix.csv"
            appendix_path.write_bytes(appendix_csv(export.data.graduates_of(sample.bin)))
            report = parse_graduates(path.read_bytes(), filename=path.name, today=at.date())
            appendix = parse_appendix(appendix_path.read_bytes(), filename=appendix_path.name,
                                      graduate_iins={row.iin for row in report.rows})
            outcome = import_with_appendix(session=session, report=report, appendix=appendix,
                                           institution=world.institutions[sample.bin],
                                           officer=world.officers[sample.bin], at=at)
            if not outcome.ok:
                first = outcome.errors[0]
                raise Error(f"{path}: {len(outcome.errors)} import error(s), e.g. row {first.row}, {first.column}: "
                            f"{first.reason}")
            bar.update(outcome.rows)


def study_groups(graduates: tuple[SampleGraduate, ...]) -> list[str]:
    """The study groups in export order."""
    return list(dict.fromkeys(g.group for g in graduates))


def issue_groups(session: Session, data: SampleData, world: World, signer: SignerChooser, base_url: str
                 ) -> dict[tuple[str, str], int]:
    """Issue every study group (`issue_group`); returns (BIN, group) -> batch id."""
    from ..registry.documents import issue_group

    at = now()
    batches: dict[tuple[str, str], int] = {}
    with progress_bar(len(data.graduates), "issue", "doc") as bar:
        for sample in data.institutions:
            for group in study_groups(data.graduates_of(sample.bin)):
                start = int(bar.n)

                def progress(done: int, _total: int, start: int = start) -> None:
                    bar.update(start + done - bar.n)

                outcome = issue_group(session=session, officer=world.officers[sample.bin], group=group,
                                      idempotency_key=f"{sample.bin}:{group}:demo", signer=signer,
                                      base_url=base_url, at=at,
                                      blank_series=BLANK_SERIES if sample.kind == "college" else None,
                                      progress=progress)
                batches[(sample.bin, group)] = outcome.batch_id
    return batches



def write_sheets(session: Session, data: SampleData, batches: dict[tuple[str, str], int], directory: Path
                 ) -> list[dict[str, Any]]:
    """One PDF per study group: the codes of its batch as first printed (revision 1), in number order.

    Drawn by `verify.issue.render_sheet` (every code 30 mm with its caption), each code a 1-bit image of one pixel
    per module (~5 times faster than vector codes), captions set in a subset of DejaVu Sans (`caption_font`).

    Returns:
        Per institution: bin, username, name_en, kind, graduates, groups, sheets (paths).
    """
    from ..issue import render_sheet
    from ..registry.documents import batch_revisions, record_of

    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="verify-demo-") as scratch, \
            progress_bar(len(data.graduates), "sheets", "code") as bar:
        font = caption_font(Path(scratch))
        for sample in data.institutions:
            paths: list[str] = []
            groups = study_groups(data.graduates_of(sample.bin))
            for group in groups:
                revisions = batch_revisions(session=session, batch_id=batches[(sample.bin, group)], revision=1)
                session.rollback()  # end the read transaction (the write engine's BEGIN IMMEDIATE)
                path = directory / sample.username / f"{group}.pdf"
                path.parent.mkdir(parents=True, exist_ok=True)
                heading = f"{sample.name_en} · BIN {sample.bin} · group {group}"
                path.write_bytes(render_sheet([(r.qr_text, record_of(r)) for r in revisions], image_codes=True,
                                              font_path=font, language="en", heading=heading))
                paths.append(str(path))
                bar.update(len(revisions))
            entries.append({"bin": sample.bin, "username": sample.username, "name_en": sample.name_en,
                            "kind": sample.kind, "graduates": len(data.graduates_of(sample.bin)),
                            "groups": groups, "sheets": paths})
    return entries


def caption_font(directory: Path) -> Path:
    """DejaVu Sans cut down to `CAPTION_CHARS`, written into `directory`; its path.

    fpdf2 reads the whole font for every PDF (~23 ms for DejaVuSans.ttf's 6,000 glyphs, ~2 ms for this subset of
    ~400); with hundreds of group sheets that halves the sheets stage. fontTools comes with fpdf2.
    """
    from fontTools import subset  # type: ignore[import-untyped]

    from ..qrpdf import find_caption_font

    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps: fontTools cannot subset them
    font = subset.load_font(str(find_caption_font()), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=CAPTION_CHARS)
        subsetter.subset(font)
        target = directory / "DejaVuSans-captions.ttf"
        subset.save_font(font, str(target), options)
    finally:
        font.close()
    return target


def run_lifecycle(session: Session, data: SampleData, world: World, signer: SignerChooser, base_url: str) -> list[Pick]:
    """The duplicate, the correction and the annulment, each an application that the registrar prepares and the
    head approves (`verify.registry.cases`); more applications in other states; the six showcase documents.

    In the first college duplicate No. 1 is issued instead of its second document (reason "lost", seed 000 items
    21-25); in the first university the surname typed with Russian letters in the export is corrected (seed 000
    appendix 38), revision 2; in the second college the first document is annulled. `casework.open_cases` then
    leaves applications registered, overdue, due soon, awaiting approval and refused, for the console.
    """
    from ..registry import cases
    from ..registry.documents import first_documents, get_original_by_iin
    from .casework import open_cases

    colleges = [i for i in data.institutions if i.kind == "college"]
    university = next(i for i in data.institutions if i.kind == "university")
    first, lost = first_documents(session=session, institution_id=_id(world.institutions[colleges[0].bin]), count=2)
    session.rollback()
    at = now()
    today = cases.local_day(at)

    def grant(bin_: str, **kwargs: Any) -> int | None:
        application = cases.register_and_grant(session, world.officers[bin_], received_on=today, at=now(), **kwargs)
        granted = cases.approve(session, world.heads[bin_], number=application.number, signer=signer,
                                base_url=base_url, at=now())
        return granted.result_document_id

    duplicate_id = grant(colleges[0].bin, kind="duplicate", series=lost.series, number=lost.number, reason="lost",
                         channel="in_person", presented=["application", "identity_document", "loss_announcement"])
    typo = next(g for g in data.graduates_of(university.bin) if g.intended_surname is not None)
    assert typo.intended_surname is not None
    corrected = get_original_by_iin(session=session, iin=typo.iin)
    session.rollback()
    grant(university.bin, kind="correction", series=corrected.series, number=corrected.number,
          changes={"surname": typo.intended_surname}, channel="egov", presented=["electronic_copy"],
          explanation=f"the surname was typed with Russian letters in the export ({typo.surname} for "
                      f"{typo.intended_surname}); checked against the identity document")
    (annulled,) = first_documents(session=session, institution_id=_id(world.institutions[colleges[1].bin]), count=1)
    session.rollback()
    grant(colleges[1].bin, kind="annulment", series=annulled.series, number=annulled.number, channel="in_person",
          presented=["application"], explanation="order of the director No. 45: issued in error, the final "
                                                 "attestation was not passed (demo data)")
    assert first.id is not None and lost.id is not None and duplicate_id is not None
    assert corrected.id is not None and annulled.id is not None
    open_cases(session, world, signer=signer, base_url=base_url, at=now(),
               exclude=frozenset({first.id, lost.id, duplicate_id, corrected.id, annulled.id}))
    return [
        Pick("valid-original", "a valid original", first.id, 1, Verdict.VALID, "ORIGINAL_VALID"),
        Pick("replaced-original", "the original that duplicate No. 1 replaced", lost.id, 1, Verdict.REPLACED,
             "REPLACED"),
        Pick("duplicate", "duplicate No. 1, issued instead of it", duplicate_id, 1, Verdict.VALID, "DUPLICATE_VALID"),
        Pick("corrected-old", "a corrected document: revision 1, as first printed", corrected.id, 1,
             Verdict.CORRECTED, "CORRECTED"),
        Pick("corrected-new", "the same document: revision 2, after the correction", corrected.id, 2, Verdict.VALID,
             "ORIGINAL_VALID"),
        Pick("annulled", "an annulled document", annulled.id, 1, Verdict.ANNULLED, "ANNULLED"),
    ]


def _id(institution: Institution) -> int:
    assert institution.id is not None
    return institution.id


def draw_inserts(session: Session, picks: list[Pick], directory: Path) -> list[Drawn]:
    """Draw each showcase document's insert as printed from the picked revision; PNG at 300 dpi."""
    from ..registry.documents import get_document_by_id, get_revision, record_of
    from ..registry.institutions import get_institution
    from .insert import InsertFields, insert_png, render_insert
    from .sampledata import programme_of, qualification_of

    directory.mkdir(parents=True, exist_ok=True)
    drawn: list[Drawn] = []
    with progress_bar(len(picks), "inserts", "insert") as bar:
        for index, pick in enumerate(picks, start=1):
            document = get_document_by_id(session=session, document_id=pick.document_id)
            institution = get_institution(session=session, institution_id=document.institution_id)
            revision = get_revision(session=session, document=document, revision=pick.revision)
            session.rollback()
            record = record_of(revision)
            programme = programme_of(record.programme)
            qualification = qualification_of(record.qualification) if record.qualification else None
            fields = InsertFields.from_record(
                record, institution_kk=institution.name_kk, institution_ru=institution.name_ru,
                programme_names=(programme.kk, programme.ru),
                qualification_names=(qualification.kk, qualification.ru) if qualification else ("", ""))
            path = directory / f"{index}-{pick.role}.png"
            path.write_bytes(insert_png(render_insert(fields, revision.qr_text)))
            drawn.append(Drawn(pick, institution.name_en, document.series, document.number, revision.qr_text, path))
            bar.update()
    return drawn
