"""The sample phone photos of inserts (tests/photos_demo/) get their expected verdicts from the rebuilt registry.

The photos were drawn by tests/photos_demo/make.py from the fixed registry of tests/photos_demo/world.py (TEST ONLY
keys, fixed people and times). Here the registry is rebuilt in a temporary SQLite file and each photo is read
(`verify.scan.scan_image`) and verified as of `world.CHECK_AT`, through the library and through `verify scan --json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from photos_demo import world
from PIL import Image
from sqlmodel import Session, col, select

from verify.codec import qr_prefix
from verify.registry.db import make_engine
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import DocumentRevision
from verify.scan import scan_image
from verify.verifier import Verifier

HERE = Path(__file__).resolve().parents[1] / "photos_demo"
EXPECTED: dict[str, Any] = json.loads((HERE / "expected.json").read_text("utf-8"))
PHOTOS: list[dict[str, Any]] = EXPECTED["photos"]


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixed registry of the photos, rebuilt."""
    url = f"sqlite:///{tmp_path_factory.mktemp('photos-registry') / 'verify.db'}"
    world.build_registry(url)
    return url


@pytest.fixture(scope="module")
def verifier(registry_url: str) -> Iterator[Verifier]:
    """A verifier with the photos' TEST ONLY trust list that asks the rebuilt registry."""
    engine = make_engine(registry_url, readonly=True)
    yield Verifier(world.TRUST_LIST, status_lookup=RegistryStatusLookup.from_engine(engine),
                   accepted_prefixes=(qr_prefix(world.BASE_URL),))
    engine.dispose()


def test_expected_file_matches_the_story() -> None:
    assert EXPECTED["check_at"] == world.CHECK_AT.isoformat()
    assert EXPECTED["base_url"] == world.BASE_URL
    assert [p["file"] for p in PHOTOS] == [f"{shown.name}.jpg" for shown in world.SHOWN]
    assert {p["verdict"] for p in PHOTOS} == {"VALID", "REPLACED", "CORRECTED", "ANNULLED", "BAD_SIGNATURE"}
    assert {p["status"] for p in PHOTOS} >= {"ORIGINAL_VALID", "DUPLICATE_VALID", "REPLACED", "CORRECTED",
                                             "ANNULLED"}


def test_photos_are_phone_sized_jpegs_under_5_mb() -> None:
    total = 0
    for photo in PHOTOS:
        path = HERE / photo["file"]
        total += path.stat().st_size
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.size == (1600, 1200)
    assert 6 <= len(PHOTOS) <= 8
    assert total < 5 * 1024 * 1024


def test_registry_is_rebuilt_identically(tmp_path: Path, registry_url: str) -> None:
    """The photos stay valid only if every rebuild signs exactly the same payloads."""
    other = f"sqlite:///{tmp_path / 'again.db'}"
    world.build_registry(other)
    hashes = []
    for url in (registry_url, other):
        engine = make_engine(url, readonly=True)
        with Session(engine) as session:
            hashes.append(list(session.exec(select(DocumentRevision.qr_text).order_by(col(DocumentRevision.id)))))
        engine.dispose()
    assert hashes[0] == hashes[1]
    assert len(hashes[0]) == 7  # five originals, the duplicate, the corrected revision


@pytest.mark.parametrize("photo", PHOTOS, ids=[p["file"] for p in PHOTOS])
def test_photo_gets_its_verdict(photo: dict[str, Any], verifier: Verifier) -> None:
    texts = scan_image((HERE / photo["file"]).read_bytes())
    assert len(texts) == 1
    report = verifier.check(texts[0], at=world.CHECK_AT)
    assert report.verdict == photo["verdict"], report.message
    if photo["status"] is None:  # the forgery: the altered payload fails the signature, nothing of it is shown
        assert report.failed_step is not None and report.failed_step.name == "signature"
        assert not report.authentic
        assert report.to_json()["record"] is None
        return
    assert report.authentic
    assert report.registry is not None and report.registry.code.value == photo["status"]
    record = report.record
    assert record is not None
    assert (record.series, record.number, record.revision) == (photo["series"], photo["number"], photo["revision"])
    assert record.holder.full_name == photo["holder"]
    status = report.registry
    if photo["status"] == "REPLACED":
        assert status.replaced_by is not None
        assert (status.replaced_by.number, status.replaced_by.duplicate_no, status.replaced_by.reason) == \
            ("0100006", 1, "lost")
    elif photo["status"] == "DUPLICATE_VALID":
        assert record.duplicate is not None and record.duplicate.duplicate_no == 1
        assert status.original is not None and status.original.number == "0100002"
    elif photo["status"] == "CORRECTED":
        assert status.changed_fields == ("surname",)
        assert status.changed_at == world.CORRECTED_AT
        assert status.current_revision == 2
    elif photo["status"] == "ANNULLED":
        assert status.annulled_at == world.ANNULLED_AT
        assert status.reason is not None and "order" in status.reason


def test_verify_scan_json_reads_every_photo(tmp_path: Path) -> None:
    """The command line gives the same verdicts: `verify scan --json` with the folder README "Sample photos" makes."""
    options = world.write_checking_folder(tmp_path / "photos")
    files = [str(HERE / p["file"]) for p in PHOTOS]
    result = subprocess.run(
        [sys.executable, "-m", "verify.cli", *[part for pair in options.items() for part in pair],
         "scan", "--json", "--at", world.CHECK_AT.isoformat(), *files],
        capture_output=True, text=True, check=False, timeout=120)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == [p["file"] for p in PHOTOS], result.stderr
    assert [line["verdict"] for line in lines] == [p["verdict"] for p in PHOTOS]
    assert [line["registry"]["code"] if line["registry"] else None for line in lines] == \
        [p["status"] for p in PHOTOS]
    assert result.returncode == 1  # not every verdict is VALID


def test_the_checking_folder_command_prints_what_to_run(tmp_path: Path) -> None:
    """README "Sample photos": `PYTHONPATH=tests python -m photos_demo.world OUT` prints the `verify scan` line."""
    tests_dir = HERE.parent
    made = subprocess.run([sys.executable, "-m", "photos_demo.world", str(tmp_path / "out")], cwd=tests_dir.parent,
                          env={**os.environ, "PYTHONPATH": f"{tests_dir}{os.pathsep}{tests_dir.parent}"},
                          capture_output=True, text=True, check=False, timeout=120)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("verify --base-url https://v.edu.kz --trust-list ")
    assert f"scan --at {world.CHECK_AT.isoformat()} tests/photos_demo/*.jpg" in made.stdout
    assert (tmp_path / "out" / "verify.db").is_file() and (tmp_path / "out" / "root.crt").is_file()
