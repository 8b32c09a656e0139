"""The outbox of the digital diploma (issue 13 item 7; seed 000 items 59-60): an event for every issue (single and
batch), duplicate, correction and annulment, in the transaction of the change; gapless cursors; no IIN; partners'
webhook configuration and delivery state (lease, backoff with jitter).

On SQLite and PostgreSQL (the `world` fixture).
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import threading
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select
from support.world import (
    BASE_URL,
    World,
    annul,
    correct,
    duplicate,
    graduate_id_of,
    issue_row,
    later,
    make_iin,
    row,
    rows,
)

from verify.errors import IinInTextError, LifecycleError, RecordError
from verify.registry.audit import holder_reference
from verify.registry.documents import issue_group
from verify.registry.models import Document, EventKind, Holder, OutboxEventRow, PartnerWebhook
from verify.registry.outbox import append_outbox_events, event_json, last_event_id, outbox_event, read_events
from verify.registry.partner import create_partner
from verify.registry.webhooks import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    any_due,
    backoff_delay,
    check_webhook_secret,
    check_webhook_url,
    claim_due,
    record_delivered,
    record_failure,
    release,
    set_webhook,
)

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode("ascii")


def events(world: World, after: int = 0) -> list[OutboxEventRow]:
    with world.session() as session:
        return read_events(session, after=after, limit=1000)


def reference_of(world: World, iin: str) -> str:
    with world.session() as session:
        return holder_reference(session=session, iin=iin)


def test_every_change_appends_one_event_with_the_document_and_no_iin(world: World) -> None:
    graduate = row(2)
    original, _ = issue_row(world, graduate)
    copy, _ = duplicate(world, original, at=later(5))
    correct(world, copy, {"programme": "6B06102"}, at=later(10))
    annul(world, copy, at=later(15))

    found = events(world)
    assert [e.kind for e in found] == ["issue", "duplicate", "correction", "annulment"]
    assert [e.id for e in found] == [1, 2, 3, 4]
    assert len({e.event_id for e in found}) == 4 and all(uuid.UUID(e.event_id).version == 4 for e in found)
    assert [(e.series, e.number, e.revision) for e in found] == [
        (original.series, original.number, 1), (copy.series, copy.number, 1), (copy.series, copy.number, 2),
        (copy.series, copy.number, 2)]
    assert {e.institution_bin for e in found} == {world.uni.bin}
    assert {e.holder_ref for e in found} == {reference_of(world, graduate.iin)}
    assert (found[1].duplicate_no, found[1].replaces_series, found[1].replaces_number) == (
        1, original.series, original.number)
    assert all(e.duplicate_no is None and e.replaces_series is None for e in found if e.kind != "duplicate")
    assert [e.at for e in found] == [later(0), later(5), later(10), later(15)]
    body = event_json(found[1])
    assert body["replaces"] == {"series": original.series, "number": original.number}
    assert body["at"].endswith("Z") and graduate.iin not in repr(body)
    with world.session() as session:
        assert last_event_id(session) == 4


def test_a_batch_appends_one_event_per_document_in_issue_order(world: World) -> None:
    world.import_rows(rows(7, group="B1"))
    with world.session() as session:
        result = issue_group(session=session, officer=world.uni_issuer, group="B1", idempotency_key="k-1",
                             signer=world.signer, base_url=BASE_URL, at=later(1))
    assert result.issued == 7
    found = events(world)
    assert [e.kind for e in found] == ["issue"] * 7 and [e.id for e in found] == list(range(1, 8))
    with world.session() as session:
        numbers = list(session.exec(select(Document.number).order_by(col(Document.id))))
    assert [e.number for e in found] == numbers


def test_a_refused_change_appends_no_event(world: World) -> None:
    original, _ = issue_row(world, row(2))
    annul(world, original, at=later(1))
    before = events(world)
    with pytest.raises(LifecycleError):
        duplicate(world, original, at=later(2))
    with pytest.raises(LifecycleError):
        correct(world, original, {"programme": "6B06102"}, at=later(3))
    assert [e.id for e in events(world)] == [e.id for e in before] == [1, 2]


def test_a_change_rolled_back_after_its_event_leaves_no_event_and_no_gap(world: World) -> None:
    original, _ = issue_row(world, row(2))
    with world.session() as session:
        document = session.get(Document, original.id)
        assert document is not None
        event = outbox_event(session, kind=EventKind.CORRECTION, document=document, institution_bin=world.uni.bin,
                             at=later(1))
        assert append_outbox_events(session, [event]) == [2]
        session.rollback()
    correct(world, original, {"programme": "6B06102"}, at=later(2))
    assert [(e.id, e.kind) for e in events(world)] == [(1, "issue"), (2, "correction")]


def test_append_takes_a_list_in_one_statement_with_consecutive_cursors(world: World) -> None:
    graduate = row(2)
    original, _ = issue_row(world, graduate)
    with world.session() as session:
        document = session.get(Document, original.id)
        assert document is not None
        built = [outbox_event(session, kind=EventKind.CORRECTION, document=document, institution_bin=world.uni.bin,
                              at=later(n)) for n in range(1, 251)]
        assert append_outbox_events(session, built) == list(range(2, 252))
        assert append_outbox_events(session, []) == []
        session.commit()
    found = events(world)
    assert [e.id for e in found] == list(range(1, 252))
    assert [e.id for e in events(world, after=100)][:2] == [101, 102]
    with world.session() as session:
        assert [e.id for e in read_events(session, after=0, limit=5)] == [1, 2, 3, 4, 5]
        assert len(read_events(session, after=0, limit=5000)) == 251


def test_events_are_append_only(world: World) -> None:
    issue_row(world, row(2))
    for statement in ("UPDATE outbox_events SET kind = 'annulment'", "DELETE FROM outbox_events"):
        with pytest.raises(DBAPIError), world.engine.begin() as connection:
            connection.execute(text(statement))
    assert [e.kind for e in events(world)] == ["issue"]


def test_concurrent_appends_commit_in_cursor_order_with_no_gap(world: World) -> None:
    """Cursors come from the head row under a lock: several writers at once give 1..N, each committed in order."""
    graduate = row(2)
    original, _ = issue_row(world, graduate)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with world.session() as session:
                    document = session.get(Document, original.id)
                    assert document is not None
                    event = outbox_event(session, kind=EventKind.CORRECTION, document=document,
                                         institution_bin=world.uni.bin, at=later(n * 100 + i))
                    append_outbox_events(session, [event, event])
                    session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [e.id for e in events(world)] == list(range(1, 82))


# ----------------------------------------------------------------------------- webhooks
def test_a_webhook_is_configured_audited_and_checked(world: World) -> None:
    with world.session() as session:
        partner = create_partner(session=session, name="Digital documents", at=later(0))
        hook = set_webhook(session=session, partner=partner, url=" https://partner.example/hooks ", secret=SECRET,
                           at=later(1), actor="admin")
        assert (hook.url, hook.delivered_id, hook.attempts) == ("https://partner.example/hooks", 0, 0)
        for url in ("ftp://partner.example/", "https://user:pw@partner.example/", "partner.example/x",
                    "https://" + "a" * 2000 + ".kz/"):
            with pytest.raises(RecordError):
                set_webhook(session=session, partner=partner, url=url, secret=SECRET, at=later(2), actor="admin")
        for secret in ("whsec_", "whsec_c2hvcnQ=", SECRET[len("whsec_"):], "whsec_!!!!", "whsec_" + "A" * 120):
            with pytest.raises(RecordError):
                set_webhook(session=session, partner=partner, url="https://p.example/", secret=secret, at=later(2),
                            actor="admin")
        with pytest.raises(IinInTextError) as caught:
            set_webhook(session=session, partner=partner, url=f"https://p.example/hooks?holder={make_iin()}",
                        secret=SECRET, at=later(2), actor="admin")
        assert caught.value.field == "url"
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'partner.webhook'") == 1
    assert SECRET[6:] not in str(world.scalar("SELECT after FROM audit_events WHERE action = 'partner.webhook'"))


def test_delivery_state_lease_cursor_and_backoff(world: World) -> None:
    issue_row(world, row(2))
    issue_row(world, row(3))
    now = later(60)
    with world.session() as session:
        partner = create_partner(session=session, name="Digital documents", at=now)
        set_webhook(session=session, partner=partner, url="https://p.example/h", secret=SECRET, at=now, actor="admin")
        assert partner.id is not None
        assert any_due(session=session, at=now)
        [target] = claim_due(session=session, owner="w1", at=now, lease=dt.timedelta(minutes=2))
        assert (target.delivered_id, target.secret, target.url) == (0, SECRET, "https://p.example/h")
        assert claim_due(session=session, owner="w2", at=now, lease=dt.timedelta(minutes=2)) == []  # leased
        assert not record_delivered(session=session, partner_id=partner.id, owner="w2", cursor=1, at=now)
        assert record_delivered(session=session, partner_id=partner.id, owner="w1", cursor=1, at=now,
                                lease=dt.timedelta(minutes=5))
        renewed = session.get(PartnerWebhook, partner.id)
        assert renewed is not None
        session.refresh(renewed)
        assert renewed.lease_until == now + dt.timedelta(minutes=5)  # a long round keeps its lease
        next_at = record_failure(session=session, partner_id=partner.id, owner="w1", error="HTTP 503", at=now,
                                 rng=random.Random(1))
        assert next_at is not None and now + dt.timedelta(seconds=BACKOFF_BASE_S / 2) <= next_at
        assert not any_due(session=session, at=now)  # waiting for the next attempt
        assert claim_due(session=session, owner="w2", at=next_at - dt.timedelta(seconds=1),
                         lease=dt.timedelta(minutes=2)) == []
        [again] = claim_due(session=session, owner="w2", at=next_at, lease=dt.timedelta(minutes=2))
        assert (again.delivered_id, again.attempts) == (1, 1)
        assert record_failure(session=session, partner_id=partner.id, owner="w1", error="late", at=next_at,
                              rng=random.Random(1)) is None  # w1 lost the lease
        assert record_delivered(session=session, partner_id=partner.id, owner="w2", cursor=2, at=next_at)
        release(session=session, partner_id=partner.id, owner="w2")
        assert not any_due(session=session, at=next_at)  # everything delivered
        hook = session.get(PartnerWebhook, partner.id)
        assert hook is not None
        session.refresh(hook)
        assert (hook.delivered_id, hook.attempts, hook.next_attempt_at, hook.lease_owner) == (2, 0, None, None)


def test_a_dead_worker_s_lease_runs_out(world: World) -> None:
    issue_row(world, row(2))
    with world.session() as session:
        partner = create_partner(session=session, name="Digital documents", at=later(0))
        set_webhook(session=session, partner=partner, url="https://p.example/h", secret=SECRET, at=later(0),
                    actor="admin")
        assert len(claim_due(session=session, owner="dead", at=later(1), lease=dt.timedelta(minutes=2))) == 1
        assert claim_due(session=session, owner="w2", at=later(2), lease=dt.timedelta(minutes=2)) == []
        assert len(claim_due(session=session, owner="w2", at=later(3), lease=dt.timedelta(minutes=2))) == 1


@settings(max_examples=200, deadline=None)
@given(attempts=st.integers(min_value=-3, max_value=10_000), seed=st.integers(min_value=0, max_value=2**32))
def test_backoff_is_exponential_with_jitter_and_capped(attempts: int, seed: int) -> None:
    delay = backoff_delay(attempts, rng=random.Random(seed)).total_seconds()
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (max(attempts, 1) - 1)) if attempts < 40 else BACKOFF_CAP_S
    assert ceiling / 2 <= delay <= ceiling


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(min_size=0, max_size=80).map(lambda b: "whsec_" + base64.b64encode(b).decode()),
                 st.text(max_size=100)))
def test_any_secret_is_accepted_exactly_when_it_is_whsec_and_24_to_64_bytes(secret: str) -> None:
    raw = None
    if secret.strip().startswith("whsec_"):
        try:
            raw = base64.b64decode(secret.strip()[6:], validate=True)
        except ValueError:
            raw = None
    if raw is not None and 24 <= len(raw) <= 64:
        assert check_webhook_secret(secret) == secret.strip()
    else:
        with pytest.raises(RecordError):
            check_webhook_secret(secret)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_url_is_accepted_or_refused_with_our_error(url: str) -> None:
    try:
        checked = check_webhook_url(url)
    except RecordError:
        return
    assert checked.startswith(("http://", "https://")) and len(checked) <= 2000


def test_the_event_names_the_holder_the_partner_look_up_names(world: World) -> None:
    graduate = row(2)
    original, _ = issue_row(world, graduate)
    found = events(world)
    with world.session() as session:
        holder = session.exec(select(Holder).where(Holder.iin == graduate.iin)).one()
        assert found[0].holder_ref == holder_reference(session=session, iin=holder.iin)
    assert graduate_id_of(world, graduate) > 0 and (found[0].series, found[0].number) == (original.series,
                                                                                          original.number)
