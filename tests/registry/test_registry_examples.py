"""The example graduate files import into one account each (issue 10 item 20): examples/graduates.csv mixed college
and university rows, so every account refused part of it; now each institution kind has its file."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.world import World, later

from verify.registry.imports.load import import_graduates
from verify.registry.imports.parse import parse_graduates

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_each_example_file_imports_whole_into_an_account_of_its_kind_and_not_the_other(world: World,
                                                                                       suffix: str) -> None:
    accounts = {"college": (world.college, world.col_issuer), "university": (world.uni, world.uni_issuer)}
    for kind, (institution, officer) in accounts.items():
        path = EXAMPLES / f"graduates-{kind}.{suffix}"
        report = parse_graduates(path.read_bytes(), filename=path.name, today=later(0).date())
        other_institution, other_officer = accounts["university" if kind == "college" else "college"]
        with world.session() as session:
            refused = import_graduates(session=session, report=report, institution=other_institution,
                                       officer=other_officer, at=later(1))
        assert not refused.ok and len(refused.errors) == 6  # every row is of the other kind
        with world.session() as session:
            result = import_graduates(session=session, report=report, institution=institution, officer=officer,
                                      at=later(1))
        assert result.ok, result.errors
        assert result.graduates_created == 6 and result.warnings == ()
