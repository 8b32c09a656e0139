"""The JavaScript verifier kit (clients/js) reports exactly what the Python verifier reports on every vector.

tests/vectors' EXPECTED pins the verdict and the stages a case claims; this compares the whole report of the
kit (`report.toJSON()`, printed by clients/js/test/vector-reports.mjs) with `VerificationReport.to_json()`:
verdict, every step's number, name and outcome, authenticity, status, record, signing time, signer, warnings,
trust list version and check time (issue 12 item 5). Needs node and the built kit (`make test-js` builds it);
without them the test is skipped with the reason, except when CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from verify.keys import load_certificate
from verify.trust import TrustList, parse_time
from verify.verifier import Verifier

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
KIT = ROOT / "clients" / "js"
SAME = ("verdict", "authentic", "status", "record", "signed_at", "signer", "warnings", "checked_at",
        "trust_list_version", "environment")


def _kit_reports() -> dict[str, Any]:
    node = shutil.which("node")
    reason = None if node else "node is not installed"
    if node and not (KIT / "dist" / "index.js").exists():
        reason = "the kit is not built (run `make test-js`)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; the JavaScript kit's parity test is required when CI=true")
        pytest.skip(reason)
    assert node is not None
    done = subprocess.run([node, "test/vector-reports.mjs", str(VECTORS)], cwd=KIT, capture_output=True,
                          text=True, timeout=120, check=True)
    reports: dict[str, Any] = json.loads(done.stdout)
    return reports


def _python_report(case: dict[str, Any]) -> dict[str, Any]:
    root = load_certificate(VECTORS / case["ROOT"])
    verifier = Verifier(TrustList.from_json((VECTORS / case["TRUST_LIST"]).read_bytes(), root=root))
    return verifier.check(case["QR_TEXT"], at=parse_time(case["VALIDATION_CLOCK"])).to_json()


def test_kit_reports_equal_python_reports() -> None:
    kit = _kit_reports()
    cases = sorted(p.parent.name for p in VECTORS.glob("*/case.json"))
    assert sorted(kit) == cases
    for name in cases:
        python = _python_report(json.loads((VECTORS / name / "case.json").read_text("utf-8")))
        js = kit[name]
        for key in SAME:
            assert js[key] == python[key], (name, key)
        assert [(s["step"], s["name"], s["outcome"]) for s in js["steps"]] == \
            [(s["step"], s["name"], s["outcome"]) for s in python["steps"]], name
        failed = next((s for s in python["steps"] if s["outcome"] == "failed"), None)
        assert (js["failed_step"] or {}).get("step") == (failed or {}).get("step"), name
