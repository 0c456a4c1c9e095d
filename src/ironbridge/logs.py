"""Structured JSON logs with request context, and redaction of anything secret."""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO, cast

import structlog

__all__ = ["configure_logging", "get_logger", "redact"]

_SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|credentials?|cookie|signature)",
    re.IGNORECASE,
)
_TOKEN_VALUES = re.compile(r"ib_(admin|conn|link|pub)_[A-Za-z0-9_-]+")
_REDACTED = "[redacted]"


def redact(value: Any, key: str = "") -> Any:
    """`value` with secrets replaced: by key name (password, token…) and by token shape."""
    if key and _SECRET_KEYS.search(key):
        return _REDACTED
    if isinstance(value, str):
        return _TOKEN_VALUES.sub(_REDACTED, value)
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _redact_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key in {"event", "exception"}:
            event_dict[key] = redact(event_dict[key])
        else:
            event_dict[key] = redact(event_dict[key], key)
    return event_dict


class _CurrentStderr(io.TextIOBase):
    """Writes to whatever `sys.stderr` is at the moment (it may be swapped after configuration)."""

    def write(self, text: str) -> int:  # type: ignore[override]
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", *, stream: Any = None) -> None:
    """JSON lines on stderr; request id, account and connection come from contextvars."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redact_processor,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, stream or _CurrentStderr())),
        cache_logger_on_first_use=False,
    )
    # Libraries log through the standard module; keep their noise at our level.
    logging.basicConfig(level=numeric, stream=stream or sys.stderr, format="%(message)s")
    # Migration chatter on every start is noise unless debugging.
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))


def get_logger(name: str) -> Any:
    """A structlog logger tagged with `name`."""
    return structlog.get_logger(logger_name=name)
