"""The folder of status lists and its index (docs/FORMAT.md §9.8): `verify.statusfolder`.

Hypothesis for the index's encoder and decoder: every index written reads back the same and is valid under the
schema; any bytes either read as an index or raise `StatusListError`, never another exception.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.errors import StatusListError
from verify.statusfolder import INDEX_FILE, IndexEntry, index_document, parse_index, safe_series_file, write_folder

T = dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC)
SCHEMA = json.loads(resources.files("verify.schemas").joinpath("status-list-index.schema.json").read_text("utf-8"))

series_names = st.sampled_from(["BD", "MD", "PhD", "ТКБ", "ТКБӘ", "ОКБ", "CMD", "BQ"])
entries = st.builds(
    lambda series, version, seconds, size, digest: IndexEntry(
        series=series, version=version, issued_at=T + dt.timedelta(seconds=seconds),
        next_update=T + dt.timedelta(seconds=seconds, hours=24), expires_at=T + dt.timedelta(seconds=seconds, days=7),
        size=size, sha256=digest),
    series_names, st.integers(1, 2**53 - 1), st.integers(0, 10**8), st.integers(1, 8389632),
    st.binary(min_size=32, max_size=32).map(bytes.hex))


@given(st.lists(entries, unique_by=lambda e: e.series, max_size=8))
def test_an_index_reads_back_as_written_and_is_valid_under_the_schema(written: list[IndexEntry]) -> None:
    data = index_document(written, generated_at=T)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(data))
    assert parse_index(data) == sorted(written, key=lambda e: e.series.encode("utf-8"))


@given(st.binary(max_size=2048) | st.text(max_size=512).map(str.encode))
def test_any_bytes_read_as_an_index_or_raise_our_error(data: bytes) -> None:
    try:
        parsed = parse_index(data)
    except StatusListError:
        return
    assert all(isinstance(e, IndexEntry) and e.issued_at.tzinfo is not None for e in parsed)


def test_a_series_twice_and_a_path_as_a_series_are_refused(tmp_path: Path) -> None:
    one = IndexEntry(series="BD", version=1, issued_at=T, next_update=T + dt.timedelta(hours=1),
                     expires_at=T + dt.timedelta(days=1), size=10, sha256="0" * 64)
    with pytest.raises(StatusListError, match="twice"):
        index_document([one, one], generated_at=T)
    for bad in ("../BD", "a/b", "..", "", "B\x00D"):
        with pytest.raises(StatusListError):
            safe_series_file(tmp_path, bad)
    written = write_folder(tmp_path / "lists", {"ТКБ": b"x", "BD": b"y"}, index_document([one], generated_at=T))
    assert [p.name for p in written] == ["BD.cose", "ТКБ.cose", INDEX_FILE]
