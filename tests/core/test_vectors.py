"""Run the test vectors of docs/FORMAT.md §8, stage by stage (the EU DCC test-data way).

Every `tests/vectors/<case>/case.json` claims results for some stages; a stage it does not
claim is not checked. Intermediate forms are checked where the vector gives them, and the
picture stage for the valid cases that carry `qr.png`. Finally the vectors must be exactly
what `tests/vectors/build.py` builds today (STYLE.md §9: regenerate and compare).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from verify import codec
from verify.keys import load_certificate
from verify.trust import TrustList, parse_time
from verify.verifier import STEP_NAMES, Verifier

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = sorted(p.parent.name for p in VECTORS.glob("*/case.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name / "case.json").read_text("utf-8"))


def verifier_for(case: dict[str, Any]) -> Verifier:
    root = load_certificate(VECTORS / case["ROOT"])
    return Verifier(TrustList.from_json((VECTORS / case["TRUST_LIST"]).read_bytes(), root=root))


def test_vector_counts() -> None:
    """The issue asks for at least 10 valid and 25 invalid vectors."""
    valid = [c for c in CASES if not c.endswith("_fail")]
    assert len(valid) >= 10
    assert len(CASES) - len(valid) >= 25


@pytest.mark.parametrize("name", CASES)
def test_vector(name: str) -> None:
    case = load(name)
    assert case["DESCRIPTION"].startswith("INVALID:" if name.endswith("_fail") else "VALID:")
    report = verifier_for(case).check(case["QR_TEXT"], at=parse_time(case["VALIDATION_CLOCK"]))
    outcomes = {s.name: s.outcome for s in report.steps}
    for stage, expected in case["EXPECTED"].items():
        if stage == "verdict":
            assert report.verdict == expected, report.message
        else:
            assert stage in STEP_NAMES.values()
            assert outcomes[stage] == ("passed" if expected else "failed"), (stage, report.message)
    assert (report.verdict == "VALID") == (not name.endswith("_fail"))


@pytest.mark.parametrize("name", [c for c in CASES if load(c)["COSE_HEX"]])
def test_vector_intermediate_forms(name: str) -> None:
    """QR text -> digits -> COSE -> payload, each equal to the vector's form."""
    case = load(name)
    _, digits = codec.split_qr_text(case["QR_TEXT"])
    assert digits == case["DIGITS"]
    cose = codec.digits_to_bytes(digits)
    assert cose.hex() == case["COSE_HEX"]
    assert codec.parse_sign1(cose).payload.hex() == case["PAYLOAD_HEX"]
    if case["RECORD"] is not None and not name.endswith("_fail"):
        record, signed_at = codec.decode_payload(bytes.fromhex(case["PAYLOAD_HEX"]))
        assert record.to_json() == case["RECORD"]
        assert signed_at == parse_time(case["SIGNED_AT"])


@pytest.mark.parametrize("name", [c for c in CASES if (VECTORS / c / "qr.png").exists()])
def test_vector_picture(name: str) -> None:
    """The picture stage: the QR image decodes to the vector's text."""
    from verify.scan import scan_image

    case = load(name)
    assert scan_image((VECTORS / name / "qr.png").read_bytes()) == [case["QR_TEXT"].strip()]


def test_vectors_are_reproducible(tmp_path: Path) -> None:
    """build.py makes exactly the checked-in vectors (deterministic keys and signatures)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("vector_build", VECTORS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    names = module.build(tmp_path)
    assert sorted(names) == CASES
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (VECTORS / path.relative_to(tmp_path)).read_bytes(), path.name


def test_validation_clock_is_fixed() -> None:
    clocks = {load(c)["VALIDATION_CLOCK"] for c in CASES}
    assert clocks == {"2026-11-01T12:00:00Z"}
    assert parse_time(clocks.pop()) < dt.datetime(2026, 11, 21, tzinfo=dt.UTC)


# ------------------------------------------------------------------ status-list and trust-list vectors (§9.7, §6.6)
STATUS_CASES = sorted(p.parent.name for p in (VECTORS / "statuslist").glob("*/case.json"))
TRUST_CASES = sorted(p.parent.name for p in (VECTORS / "trustlist").glob("*/case.json"))


def _answer(status: Any) -> dict[str, Any]:
    """The fields of a `RegistryStatus` that a status list gives, in the vectors' shape."""
    r = status.replaced_by
    return {"status": status.code.value, "current_revision": status.current_revision,
            "duplicate_no": status.duplicate_no,
            "original": None if status.original is None else {"series": status.original.series,
                                                              "number": status.original.number},
            "replaced_by": None if r is None else {"series": r.series, "number": r.number,
                                                   "duplicate_no": r.duplicate_no, "issued_on": r.issued_on.isoformat(),
                                                   "reason": r.reason},
            "annulled_on": None if status.annulled_at is None else status.annulled_at.date().isoformat(),
            "corrected_on": None if status.changed_at is None else status.changed_at.date().isoformat()}


def test_list_vector_counts() -> None:
    assert len(STATUS_CASES) >= 10 and len(TRUST_CASES) >= 6
    assert any(c.startswith("rollback") for c in STATUS_CASES) and "rollback_fail" in TRUST_CASES
    assert any(c.startswith("tampered") for c in TRUST_CASES)


@pytest.mark.parametrize("name", STATUS_CASES)
def test_status_list_vector(name: str) -> None:
    from verify.errors import StatusListError
    from verify.statuslookup import StatusListLookup, status_from_list, verify_status_list
    from verify.versionstate import MemoryVersionState, status_list_key

    folder = VECTORS / "statuslist" / name
    case = json.loads((folder / "case.json").read_text("utf-8"))
    assert case["DESCRIPTION"].startswith("INVALID:" if name.endswith("_fail") else "VALID:")
    root = load_certificate(VECTORS / case["ROOT"])
    trust_list = TrustList.from_json((VECTORS / case["TRUST_LIST"]).read_bytes(), root=root)
    at = parse_time(case["VALIDATION_CLOCK"])
    data = bytes.fromhex(case["STATUS_LIST_HEX"])
    assert data == (folder / f"{case['SERIES']}.cose").read_bytes()
    state = MemoryVersionState({status_list_key(root, case["SERIES"]): case["SEEN_VERSION"]})
    expected = case["EXPECTED"]
    assert expected["accepted"] is not name.endswith("_fail")
    if not expected["accepted"]:
        with pytest.raises(StatusListError) as info:
            verify_status_list(data, trust_list=trust_list, at=at, series=case["SERIES"], state=state)
        assert expected["error_contains"] in info.value.message
        return
    status_list = verify_status_list(data, trust_list=trust_list, at=at, series=case["SERIES"], state=state)
    assert status_list.encode_payload().hex() == case["PAYLOAD_HEX"] or case["PAYLOAD_HEX"] is None
    assert (status_list.version, status_list.issued_at, status_list.next_update, status_list.expires_at) == (
        expected["version"], parse_time(expected["issued_at"]), parse_time(expected["next_update"]),
        parse_time(expected["expires_at"]))
    for lookup in case["LOOKUPS"]:
        answer = _answer(status_from_list(status_list, number=lookup["number"], revision=lookup["revision"]))
        assert {"number": lookup["number"], "revision": lookup["revision"], **answer} == lookup
    verifier = Verifier(trust_list, status_lookup=StatusListLookup([status_list]), status_required=True)
    for record in case["RECORDS"]:
        report = verifier.check(record["QR_TEXT"], at=at)
        assert report.verdict == record["verdict"], report.message
        assert report.record is not None and report.record.to_json() == record["RECORD"]


@pytest.mark.parametrize("name", TRUST_CASES)
def test_trust_list_vector(name: str) -> None:
    from verify.errors import TrustListError
    from verify.versionstate import MemoryVersionState, accept_trust_list, trust_list_key

    folder = VECTORS / "trustlist" / name
    case = json.loads((folder / "case.json").read_text("utf-8"))
    assert case["DESCRIPTION"].startswith("INVALID:" if name.endswith("_fail") else "VALID:")
    root = load_certificate(VECTORS / case["ROOT"])
    state = MemoryVersionState({trust_list_key(root): case["SEEN_VERSION"]})
    data = (folder / case["TRUST_LIST_FILE"]).read_bytes()
    expected = case["EXPECTED"]
    assert expected["accepted"] is not name.endswith("_fail")
    if expected["accepted"]:
        assert accept_trust_list(data, root=root, state=state).version == expected["version"]
    else:
        with pytest.raises(TrustListError) as info:
            accept_trust_list(data, root=root, state=state)
        assert expected["error_contains"] in info.value.message
        assert state.highest(trust_list_key(root)) == case["SEEN_VERSION"]
