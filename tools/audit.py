"""`make audit`: pip-audit over requirements.lock, where the advisory database can be reached.

pip-audit asks PyPI's JSON API (`/pypi/NAME/VERSION/json`, its `vulnerabilities`) for every pinned version. Some
machines reach a package registry that serves distributions but not that API (this project's CI machines answer
404 for it); there the audit cannot run, and this says so and exits 0 instead of reporting every package as
"not found". Where the API answers, the exit status is pip-audit's: 1 when a locked version has a known advisory.

    .venv/bin/python tools/audit.py [--lock requirements.lock]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = "cryptography"
"""A locked package whose advisories the probe asks for: if PyPI's JSON API answers for it, it answers for all."""


def locked_version(lock: Path, name: str) -> str:
    """The version `lock` pins `name` to.

    Raises:
        SystemExit: `name` is not pinned in `lock`.
    """
    match = re.search(rf"^{re.escape(name)}==([^\s\\]+)", lock.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{lock} does not pin {name}")
    return match.group(1)


def advisory_database_reachable(name: str, version: str) -> tuple[bool, str]:
    """Whether PyPI's JSON API gives the advisories of `name`==`version`; (answer, why)."""
    url = f"https://pypi.org/pypi/{name}/{version}/json"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            body = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        return False, f"{url}: {exc}"
    if "vulnerabilities" not in body:
        return False, f"{url}: the answer has no 'vulnerabilities'"
    return True, url


def main() -> int:
    """Probe, then run pip-audit over the lock file (hashes required, no resolution: `--disable-pip`)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    args = parser.parse_args()
    reachable, why = advisory_database_reachable(PROBE, locked_version(args.lock, PROBE))
    if not reachable:
        print(f"make audit: skipped, the advisory database is not reachable from this machine ({why})")
        return 0
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes", "-r", str(args.lock),
               "--progress-spinner", "off"]
    print("make audit:", " ".join(command[2:]), flush=True)
    return subprocess.call(command)


if __name__ == "__main__":
    raise SystemExit(main())
