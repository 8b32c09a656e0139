"""The pages of the officer console: what its pages share beyond `web.ui.console` (the route class, the error page,
`console_page` and `see`, shared with the ministry's pages and re-exported here).
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from verify.texts import Text

from ..auth.desk import Desk
from ..deps import DB_INT_MAX
from ..problems.handlers import ProblemError
from ..ui.console import ConsoleRoute, console_page, error_page, see

__all__ = ["MAX_ROW_ID", "PAGE_SIZE", "ConsoleRoute", "console_page", "document_url", "error_page", "see",
           "writer_only"]

PAGE_SIZE: Final = 100
MAX_ROW_ID: Final = DB_INT_MAX
"""The largest id or offset passed to the database (a 32-bit integer column on PostgreSQL)."""


def writer_only(desk: Desk) -> None:
    """403 unless the officer's role may change the registry (a viewer reads only).

    Raises:
        ProblemError: forbidden.
    """
    if not desk.can_write:
        raise ProblemError("forbidden", "this needs the scope officer:write: a viewer reads only",
                           text=Text("c_viewer_reads_only"))


def document_url(series: str, number: str) -> str:
    """The console page of a document."""
    return f"/console/documents/{quote(series, safe='')}/{quote(number, safe='')}"

