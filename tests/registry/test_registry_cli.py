"""The registry's commands, end to end through `verify.cli.main` (in process, both engines).

db init -> institutions add -> officers add, a token for the registrar, a password for the head -> import (a bad
file first; no credentials, a username alone and a wrong password act for nobody) -> blanks add / write-off
-> issue --group (twice: the second run changes nothing) -> check (registry / --offline)
-> duplicate, correct, annul: each an application the registrar proposes and the head approves (`cases approve`)
-> a refused correction through notice and hearing -> cases show / list -> audit verify (operator's actions are
"operator:<user>", the case's steps name both officers); and the core `verify issue RECORD.json` still works.
The IIN never appears in anything the commands print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from support.world import BASE_URL, Keys, make_bin, make_iin

from verify.cli import main
from verify.registry.db import head_revision, make_engine

REPO = Path(__file__).resolve().parents[2]
HEAD_PASSWORD = "the head's own long password"
HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\n"


class Cli:
    """Runs `verify ...` in process with the test's database and keys; collects all output."""

    def __init__(self, url: str, keys: Keys, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--database-url", url, "--keys-dir", str(keys.store.path), "--base-url", BASE_URL]
        self.capsys = capsys
        self.printed = ""

    def __call__(self, *args: str, code: int = 0) -> tuple[str, str]:
        returned = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        self.printed += out + err
        assert returned == code, f"verify {' '.join(args)} -> {returned}\n{out}\n{err}"
        return out, err


def test_the_registry_commands_end_to_end(empty_url: str, keys: Keys, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFY_TOKEN", raising=False)
    monkeypatch.setenv("VERIFY_OFFICER", "col.issuer")  # the old way of naming an officer acts for nobody now
    monkeypatch.setenv("HEAD_PASSWORD", HEAD_PASSWORD)
    cli = Cli(empty_url, keys, capsys)
    college = make_bin(7)
    out, _ = cli("db", "init")
    assert f"at migration {head_revision()}" in out
    assert "nothing to do" in cli("db", "init")[0]
    cli("db", "upgrade")
    cli("institutions", "add", "--bin", college, "--name-kk", "Колледж", "--name-ru", "Колледж", "--name-en",
        "College", "--kind", "college", "--region", "Астана")
    assert college in cli("institutions", "list")[0]
    _, err = cli("institutions", "add", "--bin", "123456789012", "--name-kk", "a", "--name-ru", "a", "--name-en",
                 "a", "--kind", "college", "--region", "a", code=2)
    assert "check digit" in err
    assert "(registrar)" in cli("officers", "add", "--institution", college, "--username", "col.issuer",
                                "--full-name", "Issuer")[0]
    cli("officers", "add", "--institution", college, "--username", "col.head", "--full-name", "Head", "--role", "head",
        "--password-env", "HEAD_PASSWORD")
    token = cli("tokens", "create", "--officer", "col.issuer", "--scopes", "officer:read,officer:write")[0].strip()
    registrar_token = tmp_path / "registrar.token"
    registrar_token.write_text(token + "\n")
    password_file = tmp_path / "head.password"
    password_file.write_text(HEAD_PASSWORD + "\n")
    officer = ("--token-file", str(registrar_token))
    head = ("--user", "col.head", "--password-file", str(password_file))

    iins = [make_iin() for _ in range(3)]
    good = tmp_path / "graduates.csv"
    good.write_text(HEADER + "".join(
        f"{iin},Сейітқали,Әлия,Нұрланқызы,2004-05-12,TVE,06130100,4S06130103,no,2026-06-27,ПО-21\n" for iin in iins),
        "utf-8")
    bad = tmp_path / "bad.csv"
    bad_row = "123,Иванов,Иван,,2004-01-01,TVE,06130100,4S06130103,no,2026-06-27,ПО-21\n"
    bad.write_text(good.read_text("utf-8") + bad_row, "utf-8")
    # Naming a username acts for nobody; only the officer's token or password does (issue 13, item 3).
    assert "only with the officer's credentials" in cli("import", str(good), "--institution", college, code=2)[1]
    with pytest.raises(SystemExit):
        main([*cli.base, "import", str(good), "--institution", college, "--officer", "col.issuer"])
    capsys.readouterr()
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not the password at all")
    assert "FORBIDDEN" in cli("import", str(good), "--institution", college, "--user", "col.head",
                              "--password-file", str(wrong), code=2)[1]
    _, err = cli("import", str(bad), "--institution", college, *officer, code=1)
    assert "row 5, iin" in err and "nothing was imported" in err
    out, _ = cli("import", str(good), "--institution", college, *officer)
    assert "3 holders and 3 graduates created" in out
    assert "3 unchanged" in cli("import", str(good), "--institution", college, *officer)[0]

    cli("blanks", "add", "ТКБ", "0000001", "0000010", "--institution", college, *officer)
    assert "CONFLICT" in cli("blanks", "add", "ТКБ", "0000005", "0000020", "--institution", college, *officer,
                             code=2)[1]
    cli("blanks", "write-off", "ТКБ", "0000002", "--reason", "printer jam", *officer)
    assert "BLANK_STOCK" in cli("blanks", "write-off", "ТКБ", "0000011", "--reason", "x", *officer, code=2)[1]

    out_dir = tmp_path / "qr"
    out, err = cli("issue", "--group", "ПО-21", "--institution", college, "--idempotency-key", "batch-1",
                   "--out", str(out_dir), *officer)
    assert "3 issued now" in out and "issue ПО-21" in err  # the progress bar goes to stderr
    assert "already finished" in cli("issue", "--group", "ПО-21", "--institution", college, "--idempotency-key",
                                     "batch-1", *officer)[0]
    first = (out_dir / "ТКБ-0000001.txt").read_text().strip()
    third = (out_dir / "ТКБ-0000004.txt").read_text().strip()  # 0000002 was written off
    assert (out_dir / "ТКБ-0000001.png").read_bytes().startswith(b"\x89PNG")
    assert "ORIGINAL_VALID" in cli("check", first)[0]
    assert "AUTHENTIC_STATUS_UNKNOWN" in cli("check", "--offline", first, code=3)[0]
    png = str(out_dir / "ТКБ-0000001.png")
    assert "ORIGINAL_VALID" in cli("scan", png)[0]  # the photo path asks the registry too
    assert "AUTHENTIC_STATUS_UNKNOWN" in cli("scan", "--offline", png, code=3)[0]
    out, _ = cli("blanks", "list", "--institution", college, *officer)
    assert "used        3" in out and "written off      1" in out

    # A duplicate: the registrar registers and proposes; it exists once the head approves.
    out, _ = cli("duplicate", "ТКБ", "0000001", "--reason", "name_changed", "--surname", "Серікова",
                 "--presented", "application", "--presented", "name_change_certificate", *officer)
    number = f"{college}-{dt.date.today().year}-000001"
    assert f"application {number} registered (duplicate" in out and "awaiting the head's approval" in out
    assert "ORIGINAL_VALID" in cli("check", first)[0]
    assert "FORBIDDEN" in cli("cases", "approve", number, *officer, code=2)[1]
    out, _ = cli("cases", "approve", number, "--out", str(tmp_path / "dup"), *head)
    assert "duplicate No. 1 ТКБ 0000005" in out and "Түпнұсқаның орнына берілген № 1 телнұсқа" in out
    assert "REPLACED" in cli("check", first, code=1)[0]
    assert "ТКБ-0000005.png" in out

    out, _ = cli("correct", "ТКБ", "0000 004", "--set", "qualification=4S06130104", "--reason", "typo", *officer)
    correction = out.split()[1]
    assert "VALID" in cli("check", third)[0]
    assert "revision 2 signed" in cli("cases", "approve", correction, *head)[0]
    assert "CORRECTED" in cli("check", third, code=1)[0]
    _, err = cli("correct", "ТКБ", "0000004", "--set", "qualification=4S06130105", "--reason",
                 f"application of {iins[0][:6]} {iins[0][6:]}", *officer, code=2)  # issue 10, item 7
    assert "IIN_IN_TEXT" in err and "explanation" in err

    # A refused correction: notice, hearing, proposal, the head's decision.
    out, _ = cli("cases", "register", "ТКБ", "0000005", "--kind", "correction", "--set", "name=Әлiя", "--explanation",
                 "the name is misspelt", "--channel", "egov", "--presented", "electronic_copy", *officer)
    refused = out.split()[1]
    cli("cases", "review", refused, *officer)
    cli("cases", "notice", refused, "--ground", "unreliable_documents", "--text", "the archive agrees", *officer)
    cli("cases", "hearing", refused, "--statement", "no further proof", *officer)
    assert "awaiting the head's approval" in cli("cases", "propose", refused, "--decision", "refuse", *officer)[0]
    assert f"application {refused}: refused" in cli("cases", "approve", refused, *head)[0]
    out, _ = cli("cases", "show", refused, *officer)
    assert "refusal: unreliable_documents: the archive agrees" in out and "col.head" in out
    listed = [line.split()[0] for line in cli("cases", "list", *officer)[0].splitlines()]
    assert listed == [correction, refused, number]  # by due date: TVE corrections 3 working days, a duplicate 15

    out, _ = cli("annul", "ТКБ", "0000004", "--basis", "order 5", *officer)
    annulment = out.split()[1]
    assert "(annulment, received" in out and "due no term" in out
    assert "CORRECTED" in cli("check", third, code=1)[0]
    cli("cases", "approve", annulment, *head)
    assert "ANNULLED" in cli("check", third, code=1)[0]
    assert "LIFECYCLE" in cli("annul", "ТКБ", "0000004", "--basis", "again", *officer, code=2)[1]
    assert "audit chain OK" in cli("audit", "verify")[0]
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            actors = dict(connection.execute(sql("SELECT action, actor FROM audit_events WHERE action IN "
                                                 "('institution.create', 'officer.create', 'token.create', "
                                                 "'application.propose', 'application.approve')")).all())
            connection.rollback()
    finally:
        engine.dispose()
    assert actors["institution.create"].startswith("operator:") and actors["token.create"].startswith("operator:")
    assert (actors["application.propose"], actors["application.approve"]) == ("col.issuer", "col.head")

    # The core command is unchanged: a record file, signed and written, not in the registry.
    out, _ = cli("issue", str(REPO / "examples" / "record.json"), "--out", str(tmp_path / "core"))
    text = (tmp_path / "core" / "BD-0000042.txt").read_text().strip()
    assert "NOT_IN_REGISTRY" in cli("check", text, code=1)[0]
    assert "give RECORD.json" in cli("issue", code=2)[1]
    assert "officer's credentials" in cli("issue", "--group", "ПО-21", "--institution", college, code=2)[1]

    assert not any(iin in cli.printed for iin in iins)
