"""Structured JSON logs with request context, and redaction of anything secret.

Every line the process logs is one JSON object. structlog's loggers and the standard-library
loggers of the libraries we run on (httpx, httpcore, huey, uvicorn, alembic) all end in one
root handler whose `structlog.stdlib.ProcessorFormatter` adds the same timestamp, level,
logger name and request context, and passes every line through one redaction processor:
secret-named fields, token-shaped values, user info in URLs and secret-looking query values.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Final

import structlog
from structlog.typing import Processor

__all__ = [
    "SECRET_QUERY_PARAMS",
    "configure_logging",
    "get_logger",
    "is_secret_param",
    "redact",
    "redact_text",
]

_SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|credentials?|cookie|signature)",
    re.IGNORECASE,
)
_TOKEN_VALUES = re.compile(r"ib_(admin|conn|link|pub)_[A-Za-z0-9_-]+")
_REDACTED = "[redacted]"

#: Query parameter names whose values are credentials (compared lower-case).
SECRET_QUERY_PARAMS: Final = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "api_key",
        "apikey",
        "key",
        "password",
        "passwd",
        "pwd",
        "secret",
        "client_secret",
        "signature",
        "sig",
        "oauth_signature",
        "oauth_token",
        "code",
        "auth",
        "sap-password",
        "_lid",
        "link_token",
        "public_token",
    }
)
# A parameter whose name merely contains one of these is secret too (`X-Amz-Signature`,
# `webhook_secret`, `session_token`), so a receiver's own naming is covered without a list.
_SECRET_PARAM_WORDS: Final = re.compile(
    r"token|secret|passw|signature|credential|api[-_]?key", re.I
)

# `scheme://user:password@` in any text: the user info is dropped.
_URL_USERINFO: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#@'\"<>]+@")
# `?name=value` / `&name=value` in any text (absolute URLs, request paths, form bodies).
_QUERY_PAIR: Final = re.compile(r"([?&;])([^=&;#\s?'\"<>]+)=([^&;#\s'\"<>]*)")


def is_secret_param(name: str) -> bool:
    """Whether a query or form parameter called `name` carries a credential."""
    lowered = name.lower()
    return lowered in SECRET_QUERY_PARAMS or bool(_SECRET_PARAM_WORDS.search(lowered))


def _redact_pair(match: re.Match[str]) -> str:
    separator, name, value = match.groups()
    if value and is_secret_param(name):
        return f"{separator}{name}={_REDACTED}"
    return match.group(0)


def redact_text(text: str) -> str:
    """`text` with our tokens, URL user info and secret query values replaced.

    Free text is what libraries log (`HTTP Request: POST https://user:pw@host/hook?token=…`),
    so URLs are found inside it rather than expected on their own.
    """
    text = _TOKEN_VALUES.sub(_REDACTED, text)
    if "://" in text:
        text = _URL_USERINFO.sub(r"\1", text)
    if "=" in text:
        text = _QUERY_PAIR.sub(_redact_pair, text)
    return text


def redact(value: Any, key: str = "") -> Any:
    """`value` with secrets replaced: by key name (password, token…), by token shape, and in
    URLs (user info, secret query values)."""
    if key and _SECRET_KEYS.search(key):
        return _REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _redact_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key in {"event", "exception", "logger"}:
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


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one root handler `configure_logging` installs (and replaces when called again)."""


#: Loggers whose lines must reach the JSON handler whatever their library did to them.
_ROUTED_LOGGERS = (
    "ironbridge",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "httpx",
    "httpcore",
    "huey",
    "huey.consumer",
    "alembic",
)


def configure_logging(level: str = "INFO", *, stream: Any = None) -> None:
    """JSON lines on stderr (or `stream`) for structlog and every standard-library logger;
    request id, account and connection come from contextvars."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    handler = _JsonHandler(stream or _CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _redact_processor,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    # Libraries (uvicorn's own logging set-up, for one) give their loggers handlers, levels or
    # `propagate = False` of their own: hand them back to the root handler, so every line is
    # JSON, redacted, and filtered by this level alone.
    for name in _ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        for own in list(routed.handlers):
            routed.removeHandler(own)
        routed.setLevel(logging.NOTSET)
        routed.propagate = True
        routed.disabled = False
    # Migration chatter on every start is noise unless debugging.
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))


def get_logger(name: str) -> Any:
    """A structlog logger named `name` (the `logger` field of its lines)."""
    return structlog.get_logger(name)
