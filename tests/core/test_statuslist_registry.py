"""A status list answers what the registry answers (issue 12 item 3: "judges offline exactly as online").

Each document of a small lifecycle table is written twice: as the rows the registry's status statement returns
(`verify.registry.lookup.StatusRow`, judged by the registry's own `status_of`) and as the row of a status-list
export (`NumberStatus`). For every revision a record could carry, the list's answer (`status_from_list`) must
equal the registry's in everything a list carries: the code, the current revision, N and original of a
duplicate, the duplicate that replaced it (series, number, N, day, reason), the annulment day, the correction day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pytest

from verify.record import DuplicateOf
from verify.registry.lookup import StatusRow, status_of
from verify.status import RegistryStatus
from verify.statuslist import NumberStatus, Successor, build_status_list
from verify.statuslookup import status_from_list

UTC = dt.UTC
ISSUED = dt.datetime(2025, 7, 1, 9, tzinfo=UTC)
LIST_AT = dt.datetime(2026, 11, 1, 6, tzinfo=UTC)
HASH = hashlib.sha256(b"TEST ONLY payload").hexdigest()


@dataclass(frozen=True)
class Doc:
    """One document of the table: its life up to the list's issue time."""

    number: str
    revisions: int = 1
    corrected_at: dt.datetime | None = None
    annulled_at: dt.datetime | None = None
    replaced_by: tuple[str, str, int, dt.datetime, str] | None = None  # series, number, N, when, reason
    duplicate: tuple[int, str, str] | None = None  # N, original series, original number


DOCS = [
    Doc("0000001"),
    Doc("0000002", replaced_by=("BD", "0000100", 1, dt.datetime(2026, 3, 2, 10, tzinfo=UTC), "lost")),
    Doc("0000100", duplicate=(1, "BD", "0000002"),
        replaced_by=("BD", "0000101", 2, dt.datetime(2026, 5, 9, 11, tzinfo=UTC), "damaged")),
    Doc("0000101", duplicate=(2, "BD", "0000002")),
    Doc("0000003", annulled_at=dt.datetime(2026, 2, 1, 8, tzinfo=UTC)),
    Doc("0000004", revisions=3, corrected_at=dt.datetime(2026, 4, 4, 4, tzinfo=UTC)),
    Doc("0000005", revisions=2, corrected_at=dt.datetime(2026, 4, 5, tzinfo=UTC),
        replaced_by=("ТКБ", "0004567", 1, dt.datetime(2026, 6, 1, tzinfo=UTC), "name_changed")),
    Doc("0000102", duplicate=(1, "ТКБ", "0000777")),
    Doc("0000103", revisions=2, corrected_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
        annulled_at=dt.datetime(2026, 9, 9, tzinfo=UTC)),
    Doc("0000104", duplicate=(1, "ТКБ", "0000778"), revisions=2, corrected_at=dt.datetime(2026, 8, 8, tzinfo=UTC)),
]


def registry_rows(doc: Doc) -> list[StatusRow]:
    state = "annulled" if doc.annulled_at else "replaced" if doc.replaced_by else "valid"
    rows = []
    for revision in range(1, doc.revisions + 1):
        created = ISSUED if revision == 1 else doc.corrected_at
        assert created is not None
        successor = doc.replaced_by
        rows.append(StatusRow(
            issued_at=ISSUED, state=state, duplicate_no=doc.duplicate[0] if doc.duplicate else None,
            annulled_at=doc.annulled_at, annul_basis="TEST ONLY basis" if doc.annulled_at else None,
            replaced_at=successor[3] if successor else None, revision=revision, created_at=created,
            payload_sha256=HASH, changed_fields=["holder"] if revision > 1 else [],
            reason="TEST ONLY correction" if revision > 1 else None,
            original_series=doc.duplicate[1] if doc.duplicate else None,
            original_number=doc.duplicate[2] if doc.duplicate else None,
            original_issued_at=ISSUED if doc.duplicate else None,
            successor_series=successor[0] if successor else None, successor_number=successor[1] if successor else None,
            successor_duplicate_no=successor[2] if successor else None,
            successor_issued_at=successor[3] if successor else None,
            successor_reason=successor[4] if successor else None))
    return rows


def list_row(doc: Doc) -> NumberStatus:
    r = doc.replaced_by
    return NumberStatus(
        annulled_on=doc.annulled_at.date() if doc.annulled_at else None,
        replaced_by=Successor(r[0], r[1], r[3].date(), r[4]) if r else None,
        current_revision=doc.revisions, corrected_on=doc.corrected_at.date() if doc.corrected_at else None,
        duplicate=DuplicateOf(*doc.duplicate) if doc.duplicate else None)


STATUS_LIST = build_status_list("BD", [(d.number, list_row(d)) for d in DOCS], version=1, issued_at=LIST_AT)


def comparable(status: RegistryStatus) -> dict[str, object]:
    r = status.replaced_by
    return {
        "code": status.code, "current_revision": status.current_revision, "duplicate_no": status.duplicate_no,
        "original": None if status.original is None else (status.original.series, status.original.number),
        "replaced_by": None if r is None else (r.series, r.number, r.duplicate_no, r.issued_on, r.reason),
        "annulled_on": None if status.annulled_at is None else status.annulled_at.date(),
        "changed_on": None if status.changed_at is None else status.changed_at.date(),
    }


@pytest.mark.parametrize("doc", DOCS, ids=[d.number for d in DOCS])
def test_every_revision_gets_the_registrys_answer(doc: Doc) -> None:
    for revision in range(1, doc.revisions + 2):
        online = status_of(registry_rows(doc), revision=revision, payload_sha256=bytes.fromhex(HASH), at=LIST_AT)
        offline = status_from_list(STATUS_LIST, number=doc.number, revision=revision)
        assert comparable(offline) == comparable(online), (doc.number, revision)
        assert offline.as_of == LIST_AT and offline.source == "signed status list BD v1"


def test_a_number_the_registry_does_not_hold() -> None:
    online = status_of([], revision=1, payload_sha256=bytes.fromhex(HASH), at=LIST_AT)
    offline = status_from_list(STATUS_LIST, number="0000050", revision=1)
    assert comparable(offline) == comparable(online)
