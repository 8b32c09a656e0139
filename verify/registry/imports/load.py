"""Import graduates into the registry: all or nothing, and idempotent.

The file is read and checked by `verify.registry.imports.parse.parse_graduates` (no database);
`import_graduates` adds the registry's own checks and writes the rows in one transaction:

* any error, in the file or against the registry, and nothing is written: the result carries
  every error by row, so that the officer can fix the whole file at once (DESIGN.md, Surfaces:
  "import graduates with a row-by-row report (all or nothing)");
* importing the same file again changes nothing: holders are keyed by (institution, IIN), graduates
  by (holder, document type, programme, institution). A row that differs from what the registry
  holds updates it only while no document was issued from it (before issue, a fixed file may be
  imported again); otherwise the registry's data is kept with a warning: printed data change
  only through a correction or a duplicate.

Registry checks: the document type must be one this kind of institution issues (a college:
TVE and post-secondary, seed 000; a university: own-format higher-education types, seed 001
item 7); an IIN this institution registered must keep the birth date it gave.

Each institution owns its holders (issue 10, item 8): an import reads and writes only the
importing institution's rows, so that what another institution registered for the same IIN (its
spelling of the name, its birth date, whether it registered the IIN at all) is neither shown, nor
changed, nor inferable from the answer.

The IIN never appears in an error, a warning or the audit event (the parser's messages do not
quote it either).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...doctypes import get_document_type
from ...texts import text
from ..access import require_institution, require_open, require_writer, unit_of_work
from ..audit import append_event
from ..bulk import insert_returning_ids, insert_rows
from ..models import Document, Graduate, Holder, Institution, InstitutionKind, Officer, metadata
from .rows import ROW_COLUMN, GraduateRow, ParseReport, RowError

_LEVEL_OF_KIND = {InstitutionKind.COLLEGE.value: "tve", InstitutionKind.UNIVERSITY.value: "higher"}
_CHUNK = 500
#: The анықтама's columns (seed 000, appendix 37), kept on its graduate row for its signed annex.
_ENDED = ("studies_ended_reason", "studies_ended_order", "studies_ended_order_date", "studied_from", "studied_until")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or why it did nothing).

    Attributes:
        ok: True when the rows are in the registry (written now, or there already).
        errors: every blocking problem (the parser's, then the registry's), by row; empty when ok.
        warnings: the parser's warnings and the registry's (data kept because documents exist).
        rows: data rows in the file that parsed.
        holders_created, holders_updated: holders written.
        graduates_created, graduates_updated: graduates written.
        unchanged: rows the registry held already, exactly.
    """

    ok: bool
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...]
    rows: int = 0
    holders_created: int = 0
    holders_updated: int = 0
    graduates_created: int = 0
    graduates_updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.holders_created or self.holders_updated or self.graduates_created or self.graduates_updated)



def import_graduates(*, session: Session, report: ParseReport, institution: Institution, officer: Officer,
                     at: dt.datetime | None = None,
                     progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Write the parsed graduates of `institution`: all or nothing, idempotent; commits when it writes.

    Args:
        report: `parse_graduates` output; with any error nothing is written.
        institution: the institution whose graduates these are (the officer's own).
        officer: an issuer or head of that institution.
        at: the time of the import (aware); default: now.
        progress: called with (rows written, rows) as the rows are written (two passes: holders, then graduates,
            each counting half), for a progress bar; never called when nothing is written.

    Returns:
        `ImportResult`: `ok` False with every error when nothing was written.

    Raises:
        ForbiddenError: a viewer, or an institution other than the officer's.
    """
    require_writer(officer)
    assert institution.id is not None
    require_institution(officer, institution.id, what=text("v_what_institution", bin=institution.bin))
    at = at if at is not None else dt.datetime.now(dt.UTC)
    warnings = list(report.warnings)
    if report.errors:
        return ImportResult(ok=False, errors=report.errors, warnings=tuple(warnings), rows=len(report.rows))
    rows = report.rows
    errors = _check_kinds(rows, institution)
    with unit_of_work(session):
        require_open(session, officer)  # inside the transaction: a refusal leaves none open
        holders = _existing_holders(session, {row.iin for row in rows}, institution.id)
        errors += [RowError.of(row.row, "birth_date", text("v_imp_birth_differs_registry"))
                   for row in rows if row.iin in holders and holders[row.iin].birth_date != row.birth_date]
        if errors:
            session.rollback()
            return ImportResult(ok=False, errors=tuple(sorted(errors, key=lambda e: (e.row, e.column))),
                                warnings=tuple(warnings), rows=len(rows))
        holder_ids = {h.id for h in holders.values() if h.id is not None}
        graduates = _existing_graduates(session, holder_ids, institution.id)
        issued = _graduates_with_documents(session, [g.id for g in graduates.values() if g.id is not None])
        holders_with_documents = {g.holder_id for g in graduates.values() if g.id in issued} | \
            _holders_with_documents(session, holder_ids)
        counts = {"holders_created": 0, "holders_updated": 0, "graduates_created": 0, "graduates_updated": 0,
                  "unchanged": 0}
        total = 2 * len(rows)
        # New holders and graduates are written set-based (issue 16 item 1: 100,000 rows in seconds): plain rows,
        # one multi-row INSERT (COPY on PostgreSQL) per chunk, no ORM object each; changed ones go through the ORM.
        new_holders: dict[str, dict[str, object]] = {}
        holder_template = Holder(institution_id=institution.id, iin="", surname="", name="", birth_date=at.date(),
                                 created_at=at, updated_at=at).model_dump(exclude={"id"})
        for done, row in enumerate(rows, start=1):
            if progress is not None:
                progress(done, total)
            holder = holders.get(row.iin)
            pending = new_holders.get(row.iin)
            if holder is None and pending is None:
                new_holders[row.iin] = {**holder_template, "iin": row.iin, "surname": row.surname, "name": row.name,
                                        "patronymic": row.patronymic, "birth_date": row.birth_date}
                counts["holders_created"] += 1
            elif pending is not None:  # the same person twice in the file: the later spelling, as an update would
                if (pending["surname"], pending["name"], pending["patronymic"]) != (row.surname, row.name,
                                                                                   row.patronymic):
                    pending.update(surname=row.surname, name=row.name, patronymic=row.patronymic)
                    counts["holders_updated"] += 1
            elif holder is not None and (holder.surname, holder.name, holder.patronymic) != (
                    row.surname, row.name, row.patronymic):
                if holder.id in holders_with_documents:
                    warnings.append(RowError.of(row.row, "surname", text("v_imp_kept_name")))
                else:
                    holder.surname, holder.name, holder.patronymic = row.surname, row.name, row.patronymic
                    holder.updated_at = at
                    session.add(holder)
                    counts["holders_updated"] += 1
        session.flush()
        holder_id_of = {iin: holder.id for iin, holder in holders.items() if holder.id is not None}
        pending_holders = list(new_holders.values())
        for start in range(0, len(pending_holders), _CHUNK):
            chunk = pending_holders[start:start + _CHUNK]
            ids = insert_returning_ids(session, metadata.tables["holders"], chunk)
            holder_id_of.update((str(values["iin"]), id_) for values, id_ in zip(chunk, ids, strict=True))
        new_graduates: dict[tuple[int, str, str], dict[str, object]] = {}
        graduate_template = Graduate(holder_id=0, institution_id=institution.id, doc_type="", programme="",
                                     award_date=at.date(), study_group="", created_at=at).model_dump(exclude={"id"})
        for done, row in enumerate(rows, start=len(rows) + 1):
            if progress is not None:
                progress(done, total)
            key = (holder_id_of[row.iin], row.doc_type, row.programme)
            values: dict[str, object] = {"qualification": row.qualification, "honours": row.honours,
                                         "award_date": row.award_date, "study_group": row.group,
                                         **{name: getattr(row, name) for name in _ENDED}}
            graduate = graduates.get(key)
            pending = new_graduates.get(key)
            if graduate is None and pending is None:
                new_graduates[key] = {**graduate_template, "holder_id": key[0], "doc_type": row.doc_type,
                                      "programme": row.programme, **values}
                counts["graduates_created"] += 1
            elif pending is not None:  # the same graduate twice in the file
                if any(pending[name] != value for name, value in values.items()):
                    pending.update(values)
                    counts["graduates_updated"] += 1
                else:
                    counts["unchanged"] += 1
            elif graduate is not None and any(getattr(graduate, name) != value for name, value in values.items()):
                if graduate.id in issued:
                    warnings.append(RowError.of(row.row, ROW_COLUMN, text("v_imp_kept_registry")))
                    counts["unchanged"] += 1
                else:
                    for name, value in values.items():
                        setattr(graduate, name, value)
                    session.add(graduate)
                    counts["graduates_updated"] += 1
            else:
                counts["unchanged"] += 1
        session.flush()
        pending_graduates = list(new_graduates.values())
        for start in range(0, len(pending_graduates), _CHUNK):
            insert_rows(session, metadata.tables["graduates"], pending_graduates[start:start + _CHUNK])
        changed = any(counts[k] for k in ("holders_created", "holders_updated", "graduates_created",
                                          "graduates_updated"))
        if changed:
            append_event(session=session, at=at, officer=officer, action="graduates.import", object_type="import",
                         object_ref=f"{institution.bin} {len(rows)} rows", institution_id=institution.id,
                         after={**counts, "rows": len(rows), "groups": sorted({row.group for row in rows})})
        else:
            session.rollback()
    return ImportResult(ok=True, errors=(), warnings=tuple(warnings), rows=len(rows), **counts)


def _check_kinds(rows: Iterable[GraduateRow], institution: Institution) -> list[RowError]:
    level = _LEVEL_OF_KIND.get(institution.kind)
    errors = []
    for row in rows:
        doc_type = get_document_type(row.doc_type)
        if doc_type is None:
            errors.append(RowError.of(row.row, "doc_type", text("v_imp_doc_type_unknown", doc_type=row.doc_type)))
        elif doc_type.level not in (level, "any"):  # "any": the анықтама, given by every kind (seed 000, app. 37)
            key = "v_imp_doc_type_college" if doc_type.level == "tve" else "v_imp_doc_type_university"
            errors.append(RowError.of(row.row, "doc_type", text(key, doc_type=doc_type.code)))
    return errors


def _chunks(values: list[int] | list[str]) -> Iterable[list[int] | list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _existing_holders(session: Session, iins: set[str], institution_id: int) -> dict[str, Holder]:
    found: dict[str, Holder] = {}
    for chunk in _chunks(sorted(iins)):
        for holder in session.exec(select(Holder).where(col(Holder.iin).in_(chunk),
                                                        Holder.institution_id == institution_id)):
            found[holder.iin] = holder
    return found


def _existing_graduates(session: Session, holder_ids: set[int], institution_id: int
                        ) -> dict[tuple[int, str, str], Graduate]:
    found: dict[tuple[int, str, str], Graduate] = {}
    for chunk in _chunks(sorted(holder_ids)):
        for graduate in session.exec(select(Graduate).where(col(Graduate.holder_id).in_(chunk),
                                                            Graduate.institution_id == institution_id)):
            found[(graduate.holder_id, graduate.doc_type, graduate.programme)] = graduate
    return found


def _graduates_with_documents(session: Session, graduate_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(graduate_ids)):
        found.update(session.exec(select(Document.graduate_id).where(col(Document.graduate_id).in_(chunk))))
    return found


def _holders_with_documents(session: Session, holder_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(holder_ids)):
        found.update(session.exec(select(Graduate.holder_id).join(Document, col(Document.graduate_id) == Graduate.id)
                                  .where(col(Graduate.holder_id).in_(chunk))))
    return found
