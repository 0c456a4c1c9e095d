"""A system's error body and error codes as data, and the one function that reads them.

Every REST-JSON system answers a failure with an HTTP status and a JSON body of its own shape:

- NetSuite (RFC 9457-ish `nsError`): `{"type", "title", "status", "o:errorDetails": [{"detail",
  "o:errorCode", "o:errorPath"}]}`, one detail per problem, `o:errorPath` naming the field
  (`item.items[0].quantity`).
- Maximo: `{"Error": {"reasonCode": "BMXAA8727E", "message": "BMXAA8727E - ...",
  "statusCode": "404"}}`, one problem, no field path.

`ErrorBody` says where code, message and field path sit; `ErrorTable` adds what a source code
means (NetSuite's `RCRD_HAS_BEEN_CHANGED` is a lock, whatever the status) and the family's
status choices over `http.STATUS_ERRORS`. `error_for_response` turns an answer into the
taxonomy through them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ironbridge import errors
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json.paging import lookup

__all__ = ["ErrorBody", "ErrorTable", "FieldNames", "error_for_response"]

#: Translates a source's error path (`item.items[0].quantity`) into a unified field path:
#: a table of whole paths, or a function of the path; a path neither knows is kept as the
#: source wrote it.
FieldNames = Mapping[str, str] | Callable[[str], str | None]


@dataclass(frozen=True)
class ErrorBody:
    """Where a system's error body holds its code, message and field paths (dotted paths).

    `details` is the list of problems when the body carries several (`o:errorDetails`); each
    is read with `detail_code`, `detail_message` and `detail_path`. `code` and `message` are
    read from the whole body, for systems with one problem per body (Maximo's `Error.*`) and as
    the fallback summary (NetSuite's `title`).
    """

    code: str | None = None
    message: str | None = None
    details: str | None = None
    detail_code: str | None = None
    detail_message: str | None = None
    detail_path: str | None = None


@dataclass(frozen=True)
class _Problem:
    """One problem an error body reports."""

    code: str | None
    message: str | None
    path: str | None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _problems(body: ErrorBody, payload: Any) -> list[_Problem]:
    problems: list[_Problem] = []
    listed = lookup(payload, body.details) if body.details else None
    for item in listed if isinstance(listed, list) else ():
        if not isinstance(item, Mapping):
            continue
        problems.append(
            _Problem(
                _text(lookup(item, body.detail_code)) if body.detail_code else None,
                _text(lookup(item, body.detail_message)) if body.detail_message else None,
                _text(lookup(item, body.detail_path)) if body.detail_path else None,
            )
        )
    top = _Problem(
        _text(lookup(payload, body.code)) if body.code else None,
        _text(lookup(payload, body.message)) if body.message else None,
        None,
    )
    if top.code or top.message:
        # Last: a detail's own words say more than a summary such as "Bad Request".
        problems.append(top)
    return problems


@dataclass(frozen=True)
class ErrorTable:
    """A system's errors: the body's shape, its codes, and its status choices.

    `codes` maps a source error code to the error it means whatever the status (a lock that
    arrives as 400, a sign-in failure that arrives as 403); `statuses` overrides
    `http.STATUS_ERRORS` per status. A 400 or 422 whose problems name field paths becomes
    `errors.ValidationFailed` with one field per path; without paths, with the message on
    `body`.
    """

    name: str
    body: ErrorBody
    codes: Mapping[str, http.ErrorFactory] = field(default_factory=dict)
    statuses: Mapping[int, http.ErrorFactory] = field(default_factory=dict)


def _field_name(path: str, names: FieldNames | None) -> str:
    if names is None:
        return path
    name = names(path) if callable(names) else names.get(path)
    return name or path


def error_for_response(
    response: httpx.Response,
    table: ErrorTable,
    *,
    field_names: FieldNames | None = None,
) -> errors.IronbridgeError:
    """The taxonomy error for a failed (4xx/5xx) `response` of the system `table` describes.

    The message names the system and its code (`NetSuite INVALID_CONTENT: ...`). Codes in
    `table.codes` decide first; then a 400/422 with field paths is `errors.ValidationFailed`
    keyed by `field_names(path)`; then `table.statuses` and the house table
    `http.STATUS_ERRORS` (401 reauthorise, 403 denied, 404 not found, 409 conflict, 412 and
    423 locked (a stale `If-Match`), 429 rate limited with `Retry-After`, 503 unavailable,
    other 5xx upstream errors).
    """
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    problems = _problems(table.body, payload) if isinstance(payload, Mapping) else []
    text = next((p.message for p in problems if p.message), None)
    code = next((p.code for p in problems if p.code), None)
    message = None
    if text is not None:
        said = f"{code}: {text}" if code and code not in text else text
        message = (
            f"{table.name} {said}" if said.startswith(code or "\0") else f"{table.name}: {said}"
        )
    for problem in problems:
        if problem.code is not None and problem.code in table.codes:
            return table.codes[problem.code](response, message or f"{table.name} {problem.code}")
    if response.status_code in (400, 422):
        fields: dict[str, str] = {}
        for problem in problems:
            if problem.path:
                name = _field_name(problem.path, field_names)
                fields.setdefault(name, problem.message or message or "Invalid value.")
        if fields:
            return errors.ValidationFailed(fields, message)
        if message:
            return errors.ValidationFailed({"body": message}, message)
    return http.error_for_response(response, message=message, overrides=table.statuses)
