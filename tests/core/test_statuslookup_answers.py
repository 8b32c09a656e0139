"""`StatusListLookup` answers exactly what `status_from_list` says for every number and revision, and shares the one
answer of the numbers a list holds in force at their first revision (issue 16 item 2; docs/FORMAT.md §9)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_statuslist import T, built

from verify.status import RegistryStatus, StatusCode
from verify.statuslist import IN_FORCE
from verify.statuslookup import StatusListLookup, status_from_list

AT = T + dt.timedelta(hours=1)


def _ask(lookup: StatusListLookup, number: str, revision: int) -> RegistryStatus:
    return lookup.lookup(series="BD", number=number, revision=revision, payload_sha256=b"\0" * 32, at=AT)


@settings(max_examples=300, deadline=None)
@given(number=st.one_of(st.integers(0, 120), st.integers(0, 9_999_999)), revision=st.integers(1, 4))
def test_every_answer_is_the_lists_own(number: int, revision: int) -> None:
    """Every number of the scenario (in force, replaced, annulled, corrected, duplicates, not issued) at every
    revision: the lookup's answer equals `status_from_list`'s, the rules of `verify.registry.lookup`."""
    status_list = built()
    lookup = StatusListLookup([status_list])
    text = f"{number:07d}"
    assert _ask(lookup, text, revision) == status_from_list(status_list, number=text, revision=revision)


def test_numbers_in_force_share_one_answer() -> None:
    lookup = StatusListLookup([built()])
    first, other = _ask(lookup, "0000001", 1), _ask(lookup, "0000020", 1)
    assert lookup.lists["BD"].status_of("0000020") is IN_FORCE
    assert first is other and first.code is StatusCode.ORIGINAL_VALID and first.current_revision == 1
    assert first.source == "signed status list BD v7" and first.as_of == T
    # A revision above the one in force is not the registry's (NOT_IN_REGISTRY), never the shared answer.
    assert _ask(lookup, "0000001", 2).code is StatusCode.NOT_IN_REGISTRY
    # Not in force, or corrected: answered one by one.
    assert _ask(lookup, "0000003", 1).code is StatusCode.ANNULLED
    assert _ask(lookup, "0000004", 3).code is StatusCode.ORIGINAL_VALID and _ask(lookup, "0000004", 3) is not first
    assert _ask(lookup, "0000004", 1).code is StatusCode.CORRECTED


def test_the_newest_list_of_a_series_answers() -> None:
    older, newer = built(version=7), built(version=9)
    lookup = StatusListLookup([newer, older])
    assert _ask(lookup, "0000001", 1).source == "signed status list BD v9"


def test_held_lists_are_read_only() -> None:
    lookup = StatusListLookup([built()])
    with pytest.raises(TypeError):
        lookup.lists["MD"] = built()  # type: ignore[index]
