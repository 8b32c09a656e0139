"""Hooks of the whole test run: the IIN leak check (`support.leaks`).

* at start-up the recorders are installed (HTTP answers, log lines; `support.leaks.install`);
* every test's captured stdout, stderr and log sections are scanned, and Playwright pages once a test has
  imported Playwright;
* the test marked `leak_check` (`test_zz_iin_leaks.py`) is moved to the very end of the run, whatever the order
  of the files, and fails with every finding;
* when that test was not part of the run (e.g. `pytest tests/web`), the session fails at its end if anything
  was found, and the findings are printed.
"""

from __future__ import annotations

import pytest
from support.leaks import SCANNER, install, install_playwright

LEAK_CHECK = "leak_check"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and start recording."""
    config.addinivalue_line("markers", f"{LEAK_CHECK}: the whole run's IIN leak check; runs last")
    install()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the leak check to the end of the run."""
    last = [item for item in items if item.get_closest_marker(LEAK_CHECK) is not None]
    if last:
        items[:] = [item for item in items if item.get_closest_marker(LEAK_CHECK) is None] + last


def pytest_runtest_logstart(nodeid: str) -> None:
    """Findings are attributed to the running test."""
    SCANNER.current_test = nodeid


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Record Playwright pages once a test has imported Playwright."""
    install_playwright()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Scan the captured output of each test phase."""
    for name, content in report.sections:
        SCANNER.scan("output", name.lower(), content)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the session on findings when the leak-check test did not run."""
    if SCANNER.checked or not SCANNER.findings:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "IIN leak check", red=True)
        for finding in SCANNER.findings:
            reporter.write_line(str(finding))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
