"""TEST ONLY key stores with a status signer, and a registry world whose lists they sign (issue 12).

* `status_key_store(path)`: the tests' key store (`support.world.new_key_store`) plus an active status signer
  made a day before T0, all series in its scope;
* `lifecycle_world(world)`: documents of every kind in a registry: an original in force, a corrected one (two
  revisions), a replaced original and its duplicate No. 1, an annulled one; returns their revisions by name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support.world import T0, World, annul, correct, duplicate, issue_row, later, new_key_store, row
from verify.keystore import KeyStore
from verify.registry.models import DocumentRevision


def status_key_store(path: Path) -> KeyStore:
    """A TEST ONLY key store with a document signer and an active status signer (both from T0 - 1 day)."""
    store = new_key_store(path)
    store.rotate(at=T0 - dt.timedelta(days=1) + dt.timedelta(minutes=1), usage="status")
    return store


def lifecycle_world(world: World) -> dict[str, DocumentRevision]:
    """Issue, correct, duplicate and annul documents of series BD (times T0 .. T0+30 min).

    Returns:
        {"in_force", "corrected_old", "corrected_new", "replaced", "duplicate", "annulled"}: the revision a
        holder could present for each case.
    """
    in_force, in_force_rev = issue_row(world, row(2))
    corrected, corrected_rev = issue_row(world, row(3))
    replaced, replaced_rev = issue_row(world, row(4))
    annulled, annulled_rev = issue_row(world, row(5))
    corrected_new = correct(world, corrected, {"name": "Гүлнар"}, at=later(10))
    _, duplicate_rev = duplicate(world, replaced, at=later(20))
    annul(world, annulled, at=later(30))
    assert in_force.series == "BD"
    return {"in_force": in_force_rev, "corrected_old": corrected_rev, "corrected_new": corrected_new,
            "replaced": replaced_rev, "duplicate": duplicate_rev, "annulled": annulled_rev}
