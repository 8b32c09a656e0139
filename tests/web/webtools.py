"""Helpers of the web tests: the corpus of everything the service said, the app's settings, issuing documents.

`CORPUS` collects every response body and log line the web tests saw, and every IIN they created; the last
test module (`test_zz_no_iin_leak.py`) checks that no IIN is in any of them. Everything here is TEST ONLY.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from registry.regtools import BASE_URL, T0, World, issue_row, row

from verify import render_record
from verify.codec import split_qr_text
from verify.keystore import KeyStore
from verify.registry.documents import signed_record_of
from verify.registry.models import Document, DocumentRevision
from web.logging import JsonFormatter
from web.schemas import ProblemModel
from web.settings import WebSettings

SURNAME = "Әбдірахманова"
#: The documents are signed at T0; the app checks with the real clock (the signer is judged at the signing time).
ISSUED_AT = T0


@dataclass
class Corpus:
    """What the web tests saw: response bodies (bytes), log lines (str), and the IINs they created."""

    bodies: list[bytes] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    iins: set[str] = field(default_factory=set)


CORPUS = Corpus()


class CorpusHandler(logging.Handler):
    """Formats every record of the service's logger as the server would, into the corpus."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line."""
        CORPUS.lines.append(self.format(record))


class RecordingClient(TestClient):
    """A TestClient that adds every response body to the corpus."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        """Send, keep the body, return the response."""
        response = super().request(*args, **kwargs)
        CORPUS.bodies.append(response.content)
        return response


@dataclass(frozen=True)
class Keys:
    """The TEST ONLY key store of the session."""

    store: KeyStore


@dataclass(frozen=True)
class Issued:
    """A document issued in the world: its row and its signed revision 1."""

    document: Document
    revision: DocumentRevision


def issue(world: World, **row_fields: Any) -> Issued:
    """Import a graduate and issue the original at T0; the IIN goes into the corpus."""
    graduate = row(2, **row_fields)
    CORPUS.iins.add(graduate.iin)
    document, revision = issue_row(world, graduate, at=ISSUED_AT)
    return Issued(document=document, revision=revision)


def web_settings(world: World, keys: Keys, tmp_path: Path, **overrides: Any) -> WebSettings:
    """Settings of an app on the world's registry and the TEST ONLY keys (production: nothing is created)."""
    values: dict[str, Any] = {
        "environment": "production", "keys_dir": keys.store.path, "base_url": BASE_URL,
        "database_url": world.url, "data_dir": tmp_path / "data", "trust_reload_s": 0,
        "rate_verify": "10000/minute", "rate_scan": "10000/minute", "rate_lookup": "10000/minute",
        "rate_trust_list": "10000/minute",
    }
    values.update(overrides)
    return WebSettings(**values)


def digits(issued: Issued) -> str:
    """The digits of the document's QR text (after the prefix)."""
    return split_qr_text(issued.revision.qr_text)[1]


def qr_png(issued: Issued) -> bytes:
    """The document's QR code as printed (PNG, 600 dpi)."""
    return render_record(signed_record_of(issued.revision)).png


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The answer is an RFC 9457 problem of this status and type, with no trace; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    ProblemModel.model_validate(body)
    assert body["type"] == f"/problems/{slug}" and body["status"] == status
    assert body["title"] and body["detail"]
    assert body["instance"] == f"urn:uuid:{response.headers['x-request-id']}"
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def new_key_store(path: Path) -> KeyStore:
    """A TEST ONLY key store made a day before T0."""
    store = KeyStore(path)
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    return store


__all__ = ["BASE_URL", "CORPUS", "ISSUED_AT", "SURNAME", "CorpusHandler", "Issued", "Keys", "RecordingClient",
           "assert_problem", "digits", "issue", "new_key_store", "qr_png", "web_settings"]
