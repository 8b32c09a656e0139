"""No IIN in any answer or log line of the web tests (runs last: the file name sorts after the others).

The corpus (`webtools.CORPUS`) holds every response body the web tests received (TestClient and real server)
and every log line the service wrote (in-process handler and the server's output). Two checks:

* none of the IINs the tests gave their graduates (or planted in an exception message) appears anywhere;
* no 12-digit number that passes the IIN check (`verify.identifiers.validate_iin`: check digit, century digit,
  a real birth date) appears anywhere. BINs have the same check digit but never a valid birth date here.
"""

from __future__ import annotations

import pytest
from leakscan import iins_in
from registry.regtools import make_iin
from webtools import CORPUS


def iin_shaped(text: bytes) -> list[str]:
    """Every 12-digit run in `text` that is a valid IIN (the whole run's detector, `leakscan.iins_in`:
    runs inside hex strings and UUIDs are skipped, as random hex passes the IIN check by chance)."""
    return [iin for iin, _ in iins_in(text)]


def test_the_detector_finds_an_iin_and_ignores_longer_digit_runs() -> None:
    iin = make_iin()
    assert iin_shaped(f'{{"x": "{iin}"}}'.encode()) == [iin]
    assert iin_shaped(("7" + iin + "7").encode()) == []
    assert iin_shaped(b"040140001236") == []  # the example BIN: no birth date on 40 January


def test_no_answer_or_log_line_holds_an_iin() -> None:
    if len(CORPUS.bodies) < 100 or not CORPUS.lines or not CORPUS.iins:
        pytest.skip("run with the whole web test directory: the corpus is filled by the other tests")
    texts = [*CORPUS.bodies, *(line.encode("utf-8") for line in CORPUS.lines)]
    planted = [iin.encode() for iin in CORPUS.iins]
    assert [text[:200] for text in texts if any(iin in text for iin in planted)] == []
    assert [found for text in texts for found in iin_shaped(text)] == []
