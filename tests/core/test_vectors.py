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
