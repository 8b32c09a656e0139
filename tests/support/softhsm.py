"""A SoftHSM2 token of its own for each test (TEST ONLY PINs), made with Debian's softhsm2 package.

Each token lives in the test's temporary directory: a softhsm2.conf naming its own token
directory, pointed to by SOFTHSM2_CONF, and `softhsm2-util --init-token --free` to make it.
`verify.pkcs11.close_all()` runs before and after, so the module reads the test's configuration
and no session outlives the test. Without SoftHSM2 (or python-pkcs11) the tests are skipped with
the reason, except when CI=true, where they fail: CI signs through SoftHSM2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from verify.pkcs11 import TokenLocation, close_all

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
USER_PIN = b"4711-test-only"
SO_PIN = "8150-so-test-only"


@dataclass(frozen=True)
class SoftToken:
    """A token made for one test.

    Attributes:
        location: its module and label; pin: its user PIN; conf: its softhsm2.conf.
    """

    location: TokenLocation
    pin: bytes
    conf: Path


def require_softhsm() -> None:
    """Skip (fail when CI=true) unless SoftHSM2 and python-pkcs11 are installed."""
    missing = []
    if shutil.which("softhsm2-util") is None or not SOFTHSM_MODULE.is_file():
        missing.append(f"SoftHSM2 (Debian package softhsm2: softhsm2-util and {SOFTHSM_MODULE})")
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        missing.append("python-pkcs11 (pip install -e '.[dev]' or 'verify[hsm]')")
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; the PKCS#11 tests are required when CI=true")
    pytest.skip(f"{reason}; the PKCS#11 tests are required when CI=true")


@contextmanager
def soft_token(directory: Path, monkeypatch: pytest.MonkeyPatch, *, label: str = "verify-test") -> Iterator[SoftToken]:
    """A fresh, initialised SoftHSM2 token in `directory`, with SOFTHSM2_CONF set for the test."""
    require_softhsm()
    tokens = directory / "softhsm-tokens"
    tokens.mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
                    "slots.removable = false\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", USER_PIN.decode(),
                    "--so-pin", SO_PIN], check=True, capture_output=True,
                   env={**os.environ, "SOFTHSM2_CONF": str(conf)})
    close_all()
    try:
        yield SoftToken(location=TokenLocation(module=SOFTHSM_MODULE, label=label), pin=USER_PIN, conf=conf)
    finally:
        close_all()
