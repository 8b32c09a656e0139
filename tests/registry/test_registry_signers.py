"""Signers chosen by scope at issue, several active at once, one per institution (issue 10 item 6, issue 14 item 2).

* Every way the registry signs (an original, a batch, a duplicate, a correction) asks for a signer whose scope holds
  the document's series and institution at the signing time, and refuses with `NoSignerInScopeError` (a named
  reason) when none may: nothing is stored, no number is taken, no audit event is written.
* One document signer per institution: each institution's documents are signed by its own signer, the others stay
  active when one is rotated, and every document verifies VALID with the one published trust list.
Both engines run each test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.world import BASE_URL, T0, World, correct, duplicate, issue_row, later, row

from verify.errors import NoSignerInScopeError, RecordError
from verify.keystore import KeyStore
from verify.registry.blanks import add_blank_range
from verify.registry.documents import issue_group
from verify.registry.signers import create_institution_signer, institution_series
from verify.verifier import VALID

DAY = dt.timedelta(days=1)


def _store(tmp_path: Path, **scope: object) -> KeyStore:
    store = KeyStore(tmp_path / "keys")
    store.init(at=T0 - DAY, environment="test", **scope)  # type: ignore[arg-type]
    return store


def _counts(world: World) -> tuple[object, ...]:
    return (world.scalar("SELECT count(*) FROM documents"), world.scalar("SELECT count(*) FROM document_revisions"),
            world.scalar("SELECT count(*) FROM audit_events"),
            world.scalar("SELECT coalesce(max(last), 0) FROM counters WHERE series = 'BD'"))


def test_issue_batch_duplicate_and_correction_refuse_a_signer_out_of_scope(world: World, tmp_path: Path) -> None:
    document, _ = issue_row(world, row(2))  # signed by the session's signer of every series
    world.import_rows((row(3, group="G2"),))
    world.signer = _store(tmp_path, series=frozenset({"MD"}), institution_bin=world.other.bin).document_signers()
    before = _counts(world)
    with pytest.raises(NoSignerInScopeError) as refused:
        issue_row(world, row(4))
    assert refused.value.reason == "series" and refused.value.series == "BD"
    assert refused.value.institution_bin == world.uni.bin and refused.value.code == "NO_SIGNER_IN_SCOPE"
    with world.session() as session, pytest.raises(NoSignerInScopeError):
        issue_group(session=session, officer=world.uni_issuer, group="G2", idempotency_key="k-scope",
                    signer=world.signer, base_url=BASE_URL, at=later(5))
    with pytest.raises(NoSignerInScopeError):
        duplicate(world, document, at=later(10))
    with pytest.raises(NoSignerInScopeError):
        correct(world, document, {"programme": "6B06102"}, at=later(20))
    after = _counts(world)  # imports and the batch's opening write audit events; no document was written
    assert (after[0], after[1], after[3]) == (before[0], before[1], before[3])
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action LIKE 'document.%'") == 1


def test_the_reason_names_series_institution_or_no_signer(world: World, tmp_path: Path) -> None:
    store = _store(tmp_path, series=frozenset({"BD"}), institution_bin=world.other.bin)
    signers = store.document_signers()
    with pytest.raises(NoSignerInScopeError) as refused:
        signers.signer_for(series="BD", institution_bin=world.uni.bin, at=T0)
    assert refused.value.reason == "institution"
    assert signers.signer_for(series="BD", institution_bin=world.other.bin, at=T0).kid == signers.entries[0].kid
    with pytest.raises(NoSignerInScopeError) as refused:
        signers.signer_for(series="BD", institution_bin=world.other.bin, at=T0 + 400 * DAY)
    assert refused.value.reason == "no_signer"  # past the usage period
    store.revoke(signers.entries[0].kid, compromised_at=T0 + DAY, at=T0 + DAY, reason="test")
    with pytest.raises(NoSignerInScopeError) as refused:  # a revoked signer never signs again
        store.document_signers().signer_for(series="BD", institution_bin=world.other.bin, at=T0)
    assert refused.value.reason == "no_signer"


def test_one_signer_per_institution_each_signs_its_own_and_rotation_leaves_the_others(
        world: World, tmp_path: Path) -> None:
    store = _store(tmp_path)  # a signer of every series for any institution (a store made before this change)
    assert len(store.active_kids()) == 1
    with world.session() as session:
        create_institution_signer(session=session, keys=store, institution_bin=world.uni.bin, at=T0)
        add_blank_range(session=session, officer=world.col_head, series="ТКБ", first=100001, last=100010, at=T0)
        create_institution_signer(session=session, keys=store, institution_bin=world.college.bin, at=T0)
    trust_list = store.trust_list()
    by_institution = {e.scope.institution_bin: e for e in trust_list.signers}
    assert by_institution[world.uni.bin].scope.series >= {"BD", "MD", "PhD"}
    assert "ТКБ" in by_institution[world.college.bin].scope.series
    assert "BD" not in by_institution[world.college.bin].scope.series
    assert len(store.active_kids()) == 3
    world.signer = store.document_signers()
    _, uni_revision = issue_row(world, row(2), at=later(1))
    _, other_revision = issue_row(world, row(3), officer=world.other_issuer, institution=world.other, at=later(2))
    _, college_revision = issue_row(world, row(4, doc_type="TVE"), officer=world.col_issuer,
                                    institution=world.college, at=later(3), blank_series="ТКБ")
    assert uni_revision.kid == by_institution[world.uni.bin].kid.hex()
    assert college_revision.kid == by_institution[world.college.bin].kid.hex()
    assert other_revision.kid == by_institution[None].kid.hex()  # no signer of its own: the one of any institution

    with world.session() as session:  # rotate the university's signer: the college's and the general one stay
        create_institution_signer(session=session, keys=store, institution_bin=world.uni.bin, at=later(10))
    trust_list = store.trust_list()
    active = {e.kid for e in trust_list.signers if e.usage_until > later(10)}
    assert by_institution[world.uni.bin].kid not in active
    assert {by_institution[world.college.bin].kid, by_institution[None].kid} <= active
    world.signer = store.document_signers()
    _, rotated = issue_row(world, row(5), at=later(11))
    assert rotated.kid not in (uni_revision.kid, other_revision.kid, college_revision.kid)
    world.trust_list = trust_list
    for revision in (uni_revision, other_revision, college_revision, rotated):
        assert world.verifier().check(revision.qr_text, at=later(20)).verdict == VALID


def test_rotation_needs_a_scope_when_several_are_active(world: World, tmp_path: Path) -> None:
    store = _store(tmp_path)
    with world.session() as session:
        create_institution_signer(session=session, keys=store, institution_bin=world.uni.bin, at=T0)
    with pytest.raises(RecordError, match="2 document signers are active"):
        store.rotate(at=later(1))
    store.rotate(at=later(1), series=frozenset({"BD", "MD"}))  # the signer of any institution, for BD and MD
    assert len(store.active_kids()) == 2


def test_a_production_college_signer_needs_its_blank_series(world: World, tmp_path: Path) -> None:
    with world.session() as session:
        with pytest.raises(RecordError, match="no blank series"):
            institution_series(session=session, institution=world.college, environment="production")
        assert institution_series(session=session, institution=world.college, environment="production",
                                  extra_series=("жкб",)) == frozenset({"ЖКБ"})
