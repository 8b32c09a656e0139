"""Every time in a JSON answer is written one way: RFC 3339 in UTC with `Z` (issue 10 item 20).

The verification reports wrote `+00:00` (Python's `isoformat()`) while the API's models wrote `Z` (pydantic): one
serializer now, `verify.texts.rfc3339`, whose form is pydantic's, so a client parses one shape everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from support.web import Issued, bearer, digits, officer_token
from support.world import World

from verify.texts import rfc3339

ONE_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def times_in(value: Any) -> Iterator[str]:
    """Every string of a JSON value that starts like a date and time (field values and words inside messages)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from times_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from times_in(item)
    elif isinstance(value, str):
        for found in LOOKS_LIKE_A_TIME.finditer(value):
            end = value.find(" ", found.start())
            yield value[found.start():None if end < 0 else end].rstrip(",):;")


def test_every_json_answer_writes_times_in_one_rfc_3339_form(client: TestClient, issued: Issued,
                                                              world: World) -> None:
    token, _ = officer_token(world, world.uni_issuer)
    answers = [
        client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text}).json(),
        client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}).json(),
        client.get("/healthz").json(),
        client.get("/api/v1/officer/documents", headers=bearer(token)).json(),
        client.get(f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}",
                   headers=bearer(token)).json(),
        client.get("/api/v1/auth/tokens", headers=bearer(token)).json(),
        client.get("/api/v1/officer/audit", headers=bearer(token)).json(),  # the token's expiry in its event
    ]
    found = [time for answer in answers for time in times_in(answer)]
    assert len(found) >= 10
    assert [time for time in found if not ONE_FORM.fullmatch(time)] == []


@given(st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(9998, 12, 31),
                    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5)),
                                               dt.timezone(dt.timedelta(hours=-3, minutes=-30))])))
def test_rfc3339_writes_the_instant_in_utc_with_z(value: dt.datetime) -> None:
    text = rfc3339(value)
    assert ONE_FORM.fullmatch(text)
    assert dt.datetime.fromisoformat(text) == value


def test_rfc3339_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        rfc3339(dt.datetime(2026, 1, 1))
