"""Signers on the command line, end to end through `verify.cli.main` (in process, both engines).

* One signer per institution (issue 14 item 2): `verify keys institution BIN` makes a university's and a college's
  own signer from the registry (their kind's series, their BIN); `keys rotate --institution` replaces one and
  leaves the others; `keys rotate` with several active and no scope is refused (exit 2); a batch of each
  institution is signed by its own signer and checks VALID against the registry.
* Keys in a PKCS#11 token (issue 14 item 1, SoftHSM2): `keys init --pkcs11-module --token --pin-file` makes the
  document signer in the token; `keys institution ... --pkcs11-module --token` with the PIN from
  VERIFY_TOKEN_PIN_FILE; a batch signs in the token and `verify check` says VALID with the published trust list;
  a token that is gone is exit 2 and nothing is issued.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from support.credentials import token_file
from support.softhsm import soft_token
from support.world import BASE_URL, make_bin, make_iin

from verify.cli import main
from verify.pkcs11 import close_all
from verify.registry.db import make_engine

HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\n"


class Cli:
    """Runs `verify ...` in process with the test's database and key store; collects all output."""

    def __init__(self, url: str, keys_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--database-url", url, "--keys-dir", str(keys_dir), "--base-url", BASE_URL]
        self.capsys = capsys
        self.printed = ""

    def __call__(self, *args: str, code: int = 0) -> tuple[str, str]:
        returned = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        self.printed += out + err
        assert returned == code, f"verify {' '.join(args)} -> {returned}\n{out}\n{err}"
        return out, err


def _registry(cli: Cli, tmp_path: Path, *, university: str, college: str | None = None) -> dict[str, Path]:
    """db init, the institutions and their issuers, one group of two graduates each (files returned)."""
    cli("db", "init")
    files = {}
    for bin_, kind, doc_type, programme, qualification in (
            (university, "university", "BD", "6B06101", ""), (college, "college", "TVE", "06130100", "4S06130103")):
        if bin_ is None:
            continue
        cli("institutions", "add", "--bin", bin_, "--name-kk", kind, "--name-ru", kind, "--name-en", kind,
            "--kind", kind, "--region", "Астана")
        cli("officers", "add", "--institution", bin_, "--username", f"{kind}.issuer", "--full-name", "Issuer")
        token_file(cli.base[1], f"{kind}.issuer", tmp_path / f"{kind}.token")
        rows = "".join(f"{make_iin()},Сейітқали,Әлия,Нұрланқызы,2004-05-12,{doc_type},{programme},{qualification},"
                       "no,2026-06-27,G1\n" for _ in range(2))
        path = tmp_path / f"{kind}.csv"
        path.write_text(HEADER + rows, "utf-8")
        cli("import", str(path), "--institution", bin_, "--token-file", str(tmp_path / f"{kind}.token"))
        files[kind] = path
    return files


def _signers(keys_dir: Path) -> list[dict[str, object]]:
    return list(json.loads((keys_dir / "trust-list.json").read_bytes())["payload"]["signers"])


def test_one_signer_per_institution_on_the_command_line(empty_url: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    keys_dir = tmp_path / "keys"
    cli = Cli(empty_url, keys_dir, capsys)
    university, college = make_bin(61), make_bin(62)
    cli("keys", "init", "--environment", "test")
    _registry(cli, tmp_path, university=university, college=college)
    cli("blanks", "add", "ТКБ", "0000001", "0000010", "--institution", college, "--token-file",
        str(tmp_path / "college.token"))

    out, _ = cli("keys", "institution", university)
    assert f"institution: {university}" in out
    cli("keys", "institution", college, "--series", "жкб")
    own = {s["scope"]["institution_bin"]: s for s in _signers(keys_dir)}  # type: ignore[index]
    assert "BD" in own[university]["scope"]["series"]  # type: ignore[index]
    assert {"ТКБ", "ЖКБ"} <= set(own[college]["scope"]["series"]) and "BD" not in own[college]["scope"]["series"]  # type: ignore[index]
    _, err = cli("keys", "rotate", code=2)
    assert "3 document signers are active" in err
    out, _ = cli("keys", "rotate", "--institution", university, "--alg", "ES256")
    signers = _signers(keys_dir)
    assert signers[-1]["scope"]["institution_bin"] == university  # type: ignore[index]
    assert sum(1 for line in out.splitlines() if " active " in line) == 3  # general, college, new university

    qr = tmp_path / "qr"
    for kind, bin_ in (("university", university), ("college", college)):
        cli("issue", "--group", "G1", "--institution", bin_, "--idempotency-key", f"b-{kind}", "--out", str(qr / kind),
            "--token-file", str(tmp_path / f"{kind}.token"))
    bd = sorted((qr / "university").glob("*.txt"))[0].read_text().strip()
    tve = sorted((qr / "college").glob("*.txt"))[0].read_text().strip()
    for qr_text in (bd, tve):
        out, _ = cli("check", qr_text, "--json")
        assert json.loads(out)["verdict"] == "VALID"
    kids = {s["scope"]["institution_bin"]: s["kid"] for s in _signers(keys_dir)  # type: ignore[index]
            if s["usage_until"] > signers[-1]["usage_from"]}  # type: ignore[operator]
    assert json.loads(cli("check", bd, "--json")[0])["signer"]["kid"] == kids[university]
    assert json.loads(cli("check", tve, "--json")[0])["signer"]["kid"] == kids[college]


def test_a_token_signer_from_the_command_line_signs_and_verifies(
        empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with soft_token(tmp_path, monkeypatch) as token:
        pin_file = tmp_path / "pin"
        pin_file.write_bytes(token.pin + b"\n")
        keys_dir = tmp_path / "keys"
        cli = Cli(empty_url, keys_dir, capsys)
        module = ("--pkcs11-module", str(token.location.module), "--token", token.location.label)
        assert "--pkcs11-module PATH and --token LABEL together" in cli(
            "keys", "init", "--environment", "test", "--token", "x", code=2)[1]
        assert "PIN is needed" in cli("keys", "init", "--environment", "test", *module, code=2)[1]
        assert not (keys_dir / "root.key").exists()  # nothing written
        cli("keys", "init", "--environment", "test", *module, "--pin-file", str(pin_file))
        (signer,) = _signers(keys_dir)
        assert (keys_dir / "signers" / f"{signer['kid']}.pkcs11.json").is_file()
        assert not (keys_dir / "signers" / f"{signer['kid']}.key").exists()  # the private key stays in the token

        university = make_bin(63)
        _registry(cli, tmp_path, university=university)
        monkeypatch.setenv("VERIFY_TOKEN_PIN_FILE", str(pin_file))
        cli("keys", "institution", university, *module)
        own = _signers(keys_dir)[-1]
        assert own["scope"]["institution_bin"] == university  # type: ignore[index]
        assert (keys_dir / "signers" / f"{own['kid']}.pkcs11.json").is_file()
        close_all()
        cli("issue", "--group", "G1", "--institution", university, "--idempotency-key", "b-1", "--out",
            str(tmp_path / "qr"), "--token-file", str(tmp_path / "university.token"))
        qr_text = sorted((tmp_path / "qr").glob("*.txt"))[0].read_text().strip()
        report = json.loads(cli("check", qr_text, "--json")[0])
        assert report["verdict"] == "VALID" and report["signer"]["kid"] == own["kid"]

        graduate = tmp_path / "more.csv"
        graduate.write_text(HEADER + f"{make_iin()},Әлиева,Дана,,2004-05-12,BD,6B06101,,no,2026-06-27,G2\n", "utf-8")
        cli("import", str(graduate), "--institution", university, "--token-file", str(tmp_path / "university.token"))
        for stored in (tmp_path / "softhsm-tokens").iterdir():  # the token is gone (the module still loads)
            shutil.rmtree(stored)
        close_all()
        _, err = cli("issue", "--group", "G2", "--institution", university, "--idempotency-key", "b-2",
                     "--token-file", str(tmp_path / "university.token"), code=2)
        assert "HSM" in err and "no token labelled 'verify-test'" in err
        engine = make_engine(empty_url)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM documents")).scalar() == 2  # G1's only
        finally:
            engine.dispose()
