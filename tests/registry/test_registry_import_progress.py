"""`verify import` shows its progress on stderr, and stdout keeps only the result (issue 10 item 20).

A file of thousands of rows took its time without a word; now the command says what it read and then every tenth
of the writing (a tqdm bar on a terminal; lines a log keeps otherwise), and the one result line stays on stdout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.credentials import token_file
from support.world import Keys, make_bin, make_iin

from verify.cli import main

HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\n"
ROWS = 1000


def test_import_reports_progress_on_stderr_and_the_result_alone_on_stdout(
        empty_url: str, keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--database-url", empty_url, "--keys-dir", str(keys.store.path)]
    college = make_bin(7)
    for args in (["db", "init"],
                 ["institutions", "add", "--bin", college, "--name-kk", "Колледж", "--name-ru", "Колледж",
                  "--name-en", "College", "--kind", "college", "--region", "Астана"],
                 ["officers", "add", "--institution", college, "--username", "col.issuer", "--full-name", "I"]):
        assert main([*base, *args]) == 0
    capsys.readouterr()
    graduates = tmp_path / "graduates.csv"
    graduates.write_text(HEADER + "".join(
        f"{make_iin()},Сейітқали,Әлия,,2004-05-12,TVE,06130100,4S06130103,no,2026-06-27,ПО-{n % 7}\n"
        for n in range(ROWS)), "utf-8")
    token = token_file(empty_url, "col.issuer", tmp_path / "token")
    assert main([*base, "import", str(graduates), "--institution", college, "--token-file", str(token)]) == 0
    out, err = capsys.readouterr()
    assert out.strip().splitlines() == [f"{graduates}: {ROWS} rows: {ROWS} holders and {ROWS} graduates created, "
                                        f"0 updated, 0 unchanged"]
    assert f"{ROWS:,} rows read, 0 error(s)" in err
    shown = [int(p) for p in re.findall(r"import (\d+) %", err)]
    assert shown == list(range(10, 101, 10))
