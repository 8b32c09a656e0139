"""The log evidence a verifier is handed (step 12; docs/FORMAT.md §7.1): its JSON decoder refuses anything but the
shape of `verify log prove --json` with our own error, and round-trips what it accepts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from verify.errors import RecordError
from verify.status import LogEvidence

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12)
keys = st.sampled_from(["leaf_index", "leaf_hash", "tree_size", "proof", "checkpoint"])
hashes = st.binary(min_size=32, max_size=32)


@given(st.one_of(json_values, st.dictionaries(keys, json_values, max_size=5)))
def test_any_json_decodes_or_raises_our_error(value: Any) -> None:
    try:
        evidence = LogEvidence.from_json(value)
    except RecordError:
        return
    assert evidence.leaf_index is None or evidence.leaf_index >= 0
    assert evidence.tree_size >= 0 and all(isinstance(h, bytes) for h in evidence.proof)


@given(st.none() | st.integers(0, 2**62), st.none() | hashes, st.integers(0, 2**62), st.lists(hashes, max_size=64),
       st.none() | st.text(max_size=200))
def test_what_it_writes_it_reads_back(index: int | None, leaf: bytes | None, size: int, proof: list[bytes],
                                      checkpoint: str | None) -> None:
    evidence = LogEvidence(index, leaf, size, tuple(proof), checkpoint)
    assert LogEvidence.from_json(json.loads(json.dumps(evidence.to_json()))) == evidence
