"""Structured logs with fields by allowlist: one JSON object a line, and nothing personal in it.

A log line has `ts`, `level`, `logger`, `event` (the message, a fixed text written in our code) and only the
extra fields named in `ALLOWED_FIELDS`, such as `method`, `route` (the route template, e.g. `/V/{digits}`, never
the path), `status`, `duration_ms`, `client` (an HMAC of the client address, see `ClientHasher`) and `request_id`.
Anything else passed as `extra` is dropped. Query strings, bodies, paths and headers are never logged.

As a second line of defence every run of exactly 12 digits in the output (the shape of an IIN or BIN) is replaced
by `[12 digits]`, also inside tracebacks, whose exception messages might quote a database parameter. `ScrubFilter`
does the same to each record of the service's loggers before any handler sees it, so that a handler added by an
operator (or by pytest, whose captured logs are printed in CI reports) gets the scrubbed message and traceback too.

Uvicorn's access log (which prints paths with their query strings) is switched off by `web.cli`; its error
logger goes through `JsonFormatter` too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import sys
from typing import Any, Final

LOGGER_NAME: Final = "verify.web"
ALLOWED_FIELDS: Final = frozenset({
    "method", "route", "status", "duration_ms", "client", "request_id", "trace_id", "error", "bucket", "version",
    "environment", "workers", "pid", "seconds", "reason",
})
"""`extra` fields a log line may carry; every other attribute of a record is dropped."""

_TWELVE_DIGITS: Final = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def scrub(text: str) -> str:
    """Replace every run of exactly 12 digits (an IIN or BIN shape) with `[12 digits]`."""
    return _TWELVE_DIGITS.sub("[12 digits]", text)


class ScrubFilter(logging.Filter):
    """Scrubs a record in place (see `scrub`): its message with the arguments merged in, its traceback text, its stack.

    Installed on the loggers of `configure_logging` and `uvicorn_log_config`; it never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace 12-digit runs in the message, the traceback (`exc_text`) and `stack_info`; keep the record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message: leave them to the handler
            message = None
        if message is not None:
            record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_TRACEBACKS: Final = logging.Formatter()


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object with the allowlisted fields only (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line (no trailing newline)."""
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in sorted(ALLOWED_FIELDS):
            if name in record.__dict__:
                value = record.__dict__[name]
                out[name] = value if isinstance(value, (int, float, bool)) or value is None else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(out, ensure_ascii=False))


class ClientHasher:
    """Stands for a client address in logs: the first 16 hex digits of HMAC-SHA256(key, address).

    The key makes the hash useless for testing guesses (IPv4 has only 2^32 addresses). With a configured key
    (VERIFY_LOG_HASH_KEY) every worker and instance writes the same hash for the same client; without one a
    random key per process is used.

    Args:
        key: the HMAC key (bytes), or None for a random 32-byte key.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or os.urandom(32)

    def __call__(self, address: str) -> str:
        """The hash of `address` (16 hex digits)."""
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def get_logger() -> logging.Logger:
    """The service's logger (`verify.web`)."""
    return logging.getLogger(LOGGER_NAME)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's and uvicorn's log records to standard error as JSON lines (idempotent).

    Uvicorn's access logger is silenced: `web.http.observe` writes the access line with allowlisted fields.
    """
    for name in (LOGGER_NAME, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubFilter) for f in logger.filters):
            logger.addFilter(ScrubFilter())
        if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for `uvicorn.run(log_config=...)`: JSON lines, no access log."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "filters": {"scrub": {"()": ScrubFilter}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "filters": ["scrub"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "filters": ["scrub"], "level": level.upper(),
                              "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            LOGGER_NAME: {"handlers": ["stderr"], "filters": ["scrub"], "level": level.upper(), "propagate": False},
        },
    }
