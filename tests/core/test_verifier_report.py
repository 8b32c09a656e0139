"""The report's steps are written when read (issue 16 item 2): the JSON answer and the `StepResult`s agree.

`VerificationReport.to_json` writes the steps' details straight from what the check recorded, without making the
`StepResult`s; for every vector the two must give the same steps, in either order of reading.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_vectors import load, verifier_for  # the vectors' own loader (tests/core/test_vectors.py)

from verify.verifier import VerificationReport

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _reports() -> list[tuple[str, VerificationReport, VerificationReport]]:
    out = []
    for path in sorted(p for p in VECTORS.iterdir() if (p / "case.json").exists()):
        case = load(path.name)
        if "QR_TEXT" not in case:
            continue
        at = dt.datetime.fromisoformat(case["VALIDATION_CLOCK"].replace("Z", "+00:00"))
        first = verifier_for(case).check(case["QR_TEXT"], at=at)
        second = verifier_for(case).check(case["QR_TEXT"], at=at)
        out.append((path.name, first, second))
    return out


def test_json_steps_are_the_step_results() -> None:
    reports = _reports()
    assert len(reports) >= 20
    for name, lazy, built in reports:
        from_json = lazy.to_json()  # before anything read the steps
        steps = [s.to_json() for s in built.steps]
        assert from_json["steps"] == steps, name
        assert built.to_json() == from_json | {"checked_at": built.to_json()["checked_at"]}, name
        assert [s.number for s in built.steps] == sorted(s.number for s in built.steps), name


def test_assigned_steps_replace_the_recorded_ones() -> None:
    _, report, _ = _reports()[0]
    kept = report.steps[:2]
    report.steps = kept
    assert report.steps == kept
    assert report.to_json()["steps"] == [s.to_json() for s in kept]
