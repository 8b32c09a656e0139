"""Batch issue by study group with an idempotency key (the crash-and-retry case is in
test_registry_concurrency.py): a key finishes its batch once; a key names one batch only."""

from __future__ import annotations

import pytest
from support.world import BASE_URL, World, issue_row, later, row, rows

from verify.errors import ConflictError, ForbiddenError, NotFoundError
from verify.registry.documents import BatchResult, issue_group
from verify.registry.models import Officer


def batch(world: World, group: str, key: str, *, officer: Officer | None = None) -> BatchResult:
    done: list[tuple[int, int]] = []
    with world.session() as session:
        result = issue_group(session=session, officer=officer or world.uni_issuer, group=group, idempotency_key=key,
                             signer=world.signer, base_url=BASE_URL, at=later(1),
                             progress=lambda n, total: done.append((n, total)))
    if not result.replayed:
        assert done[-1] == (result.total, result.total)
    return result


def test_a_key_issues_its_batch_once(world: World) -> None:
    world.import_rows(rows(6, group="ИС-22"))
    first = batch(world, "ИС-22", "key-1")
    assert (first.total, first.issued, first.skipped, first.finished, first.replayed) == (6, 6, 0, True, False)
    world.import_rows(rows(2, group="ИС-22"))  # two more graduates join the group later
    again = batch(world, "ИС-22", "key-1")
    assert (again.issued, again.replayed) == (0, True)
    assert world.scalar("SELECT count(*) FROM documents") == 6
    second = batch(world, "ИС-22", "key-2")  # a new key: only the two new graduates are missing their documents
    assert (second.total, second.issued, second.skipped) == (8, 2, 6)
    assert world.scalar("SELECT count(*) FROM documents") == 8
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'batch.finish'") == 2


def test_a_key_names_one_batch(world: World) -> None:
    world.import_rows(rows(2, group="A") + rows(2, group="B"))
    batch(world, "A", "shared")
    with pytest.raises(ConflictError, match="another batch"):
        batch(world, "B", "shared")
    with pytest.raises(NotFoundError, match="no graduates in group"):
        batch(world, "C", "key-c")
    with pytest.raises(ForbiddenError):
        batch(world, "A", "key-v", officer=world.uni_viewer)
    with pytest.raises(NotFoundError, match="no graduates in group"):  # another institution's officer sees none
        batch(world, "A", "key-o", officer=world.other_issuer)


def test_graduates_issued_singly_are_skipped(world: World) -> None:
    single = row(2, group="G")
    issue_row(world, single)
    world.import_rows(rows(3, group="G"))
    result = batch(world, "G", "key-g")
    assert (result.total, result.issued, result.skipped) == (4, 3, 1)
    assert world.scalar("SELECT count(*) FROM documents") == 4
