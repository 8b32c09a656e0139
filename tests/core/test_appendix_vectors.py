"""The appendix vectors (docs/FORMAT.md §10.7): each step's expected outcome, the content of the valid ones, and
that tests/vectors/build_appendix.py makes exactly the checked-in files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from verify.appendix import Appendix
from verify.appendixcheck import APPENDIX_STEPS, check_appendix
from verify.appendixcodec import decode_appendix_payload, parse_appendix_cose
from verify.keys import load_certificate
from verify.trust import TrustList, parse_time

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
CASES = sorted(p.parent.name for p in (VECTORS / "appendix").glob("*/case.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / "appendix" / name / "case.json").read_text("utf-8"))


def test_vector_counts() -> None:
    valid = [c for c in CASES if not c.endswith("_fail")]
    assert len(valid) >= 4 and len(CASES) - len(valid) >= 10


@pytest.mark.parametrize("name", CASES)
def test_appendix_vector(name: str) -> None:
    case = load(name)
    assert case["DESCRIPTION"].startswith("INVALID:" if name.endswith("_fail") else "VALID:")
    cose = (VECTORS / "appendix" / name / "appendix.cose").read_bytes()
    assert cose.hex() == case["APPENDIX_COSE_HEX"]
    trust = TrustList.from_json((VECTORS / case["TRUST_LIST"]).read_bytes(), root=load_certificate(VECTORS /
                                                                                                   case["ROOT"]))
    report = check_appendix(cose, diploma_text=case["DIPLOMA_QR_TEXT"], trust_list=trust,
                            at=parse_time(case["VALIDATION_CLOCK"]))
    outcomes = {s.name: s.outcome for s in report.steps}
    for stage, expected in case["EXPECTED"].items():
        if stage == "verdict":
            assert report.verdict == expected, report.failed_step
        else:
            assert stage in APPENDIX_STEPS.values()
            assert outcomes[stage] == ("passed" if expected else "failed"), (stage, report.failed_step)
    assert (report.verdict == "VALID") == (not name.endswith("_fail"))
    if case["APPENDIX"] is not None:
        appendix, _ = decode_appendix_payload(parse_appendix_cose(cose).payload)
        assert appendix == Appendix.from_json(case["APPENDIX"]) and appendix.to_json() == case["APPENDIX"]


def test_appendix_vectors_are_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("appendix_vector_build", VECTORS / "build_appendix.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert sorted(module.build_cases(tmp_path)) == CASES
    for path in sorted((tmp_path / "appendix").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (VECTORS / path.relative_to(tmp_path)).read_bytes(), path
