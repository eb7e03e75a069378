"""JSON log lines on stderr, with personal data and credentials masked.

``RedactingFilter`` rewrites every record that reaches the handler: e-mail addresses, phone
numbers, bearer tokens and JWTs in the message, its arguments, extra fields and tracebacks are
replaced by ``[redacted-email]``, ``[redacted-phone]``, ``[redacted-token]``. Request bodies are
never logged. The patterns are deliberately broad for e-mails and tokens; phone numbers are
matched in international (``+15550101001``, ``+1 555 010 1001``) and North-American
(``(555) 010-1001``, ``555-010-1001``) forms so that UUIDs and dates stay readable.

Each request is logged once, by the app (logger ``app.access``): the development server's own
request lines (unstructured, with terminal colour codes) are switched off by
:class:`NoAccessLogRequestHandler`, gunicorn runs without an access log, and colour codes in
any other message are removed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from werkzeug.serving import WSGIRequestHandler

PATTERNS = [
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted-token]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[redacted-token]"),
    (re.compile(r"[A-Za-z0-9._%+'-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[redacted-email]"),
    (re.compile(r"(?<![\w-])(?:\+|%2[bB])\d(?:[\s().+-]|%20)*(?:\d(?:[\s().+-]|%20)*){5,}\d(?![\w-])"), "[redacted-phone]"),
    (re.compile(r"(?<![\w-])\(?\d{3}\)?(?:[\s.-]|%20)\d{3}(?:[\s.-]|%20)\d{4}(?![\w-])"), "[redacted-phone]"),
]

# Terminal colour codes (werkzeug colours its start-up lines): never part of a JSON line.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks PII and credentials in a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(_ANSI_ESCAPE.sub("", message)), ()
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str)


def configure(level: str = "INFO", stream=None) -> logging.Handler:
    """Installs one JSON, redacting handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_app_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._app_handler = True
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def app_handler() -> logging.Handler | None:
    """The handler installed by :func:`configure` (tests point it at a buffer)."""
    return next((h for h in logging.getLogger().handlers if getattr(h, "_app_handler", False)), None)


class NoAccessLogRequestHandler(WSGIRequestHandler):
    """The development server's request handler without its per-request log line (the app
    writes its own JSON line); errors are still logged."""

    def log_request(self, code="-", size="-") -> None:
        pass
