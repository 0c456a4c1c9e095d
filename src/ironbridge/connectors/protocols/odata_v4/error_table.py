"""OData v4 error bodies and HTTP statuses → the taxonomy of `ironbridge.errors`, in one table.

The body is `{"error": {"code", "message", "target"?, "details"?: [{"code", "message",
"target"}], "innererror"?}}` ("OData JSON Format Version 4.01", section 21). The status decides
the class (`STATUS_ERRORS` over `http.STATUS_ERRORS`); a service's own error codes may decide
first (`ERROR_CODES`), since one status can mean several things.

| answer | error | why |
| --- | --- | --- |
| 400 (422) | `ValidationFailed`, a field per `target` | the input broke a rule of the service |
| 401 | `ConnectionReauthRequired` | the token or credentials are refused |
| 403 | `PermissionDenied` | signed in, but not allowed |
| 404 (410) | `NotFound` | |
| 409 `Request_EntityChanged`, 412 | `RecordLocked` | stale `If-Match` (as odata_v2's 412) |
| 409 otherwise | `Conflict` | |
| 424 | `UpstreamError` | in a `$batch`: undone because its atomicity group failed |
| 428 | `UpstreamError` | a write without `If-Match`: a client bug |
| 429 | `RateLimitExceeded` with `Retry-After` | |
| 502 | `UpstreamError` with `Retry-After` if sent | Business Central's data plane is away |
| 503 / 504 / other 5xx | `ConnectionUnavailable` / `UpstreamTimeout` / `UpstreamError` | |

A stale ETag is `RecordLocked`, not a plain `Conflict`: it is the class the house gives every
"the record changed since it was read" answer (odata_v2's 412, Tryton's
`ConcurrencyException`), and what the conformance suite expects of a refused write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.protocols import http

__all__ = [
    "ERROR_CODES",
    "STATUS_ERRORS",
    "FieldNames",
    "error_for_response",
    "raise_for_status",
    "read_error",
]

#: Translates an error `target` (a property, or a path such as `purchaseOrderLines(1)/quantity`)
#: into a unified field path: a table of property names, or a function of the whole target.
FieldNames = Mapping[str, str] | Callable[[str], str]


def _stale(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.RecordLocked(f"The record changed in the source since it was read ({message}).")


def _needs_if_match(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.UpstreamError(f"The source requires If-Match ({message}).")


def _failed_dependency(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.UpstreamError(
        f"Not applied: another request of its batch's atomicity group failed ({message})."
    )


def _bad_gateway(response: httpx.Response, message: str) -> errors.IronbridgeError:
    wait = http.parse_retry_after(response.headers.get("Retry-After"))
    return errors.UpstreamError(message, retry_after=wait)


#: Status meanings of OData v4 that differ from `http.STATUS_ERRORS`.
STATUS_ERRORS: Final[Mapping[int, http.ErrorFactory]] = {
    412: _stale,
    424: _failed_dependency,
    428: _needs_if_match,
    502: _bad_gateway,
}

#: Service error codes that decide the class whatever the status. Business Central answers a
#: stale `If-Match` with 409 `Request_EntityChanged` ("Another user has already changed the
#: record", docs: dynamics-error-codes.md) where the OData standard says 412.
ERROR_CODES: Final[Mapping[str, http.ErrorFactory]] = {
    "Request_EntityChanged": _stale,
}


def read_error(response: httpx.Response) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """The `code`, `message` and target-bearing entries (`error` itself, then `details`) of an
    OData v4 error body; Nones and an empty list when the body is not one."""
    try:
        payload = response.json()
    except ValueError:
        return None, None, []
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None, None, []
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message")
    if isinstance(message, dict):  # OData v2 style `{"lang", "value"}`, still seen in v4
        message = message.get("value")
    entries = [error, *(row for row in error.get("details") or () if isinstance(row, dict))]
    return code, message if isinstance(message, str) else None, entries


def _field_name(target: str, field_names: FieldNames) -> str:
    if callable(field_names):
        return field_names(target)
    prop = target.rsplit("/", 1)[-1].split("(", 1)[0]
    return field_names.get(prop, prop)


def error_for_response(
    response: httpx.Response,
    *,
    field_names: FieldNames | None = None,
    codes: Mapping[str, http.ErrorFactory] | None = None,
    overrides: Mapping[int, http.ErrorFactory] | None = None,
) -> errors.IronbridgeError:
    """The taxonomy error for a failed OData v4 response (see the module's table).

    Args:
        response: the failed answer.
        field_names: translates `target`s of a 400 into unified field names.
        codes: service error codes → factories, over `ERROR_CODES`.
        overrides: statuses → factories, over `STATUS_ERRORS`.
    """
    code, text, entries = read_error(response)
    message = f"{code}: {text}" if code and text else text
    by_code = {**ERROR_CODES, **(codes or {})}
    if code in by_code:
        return by_code[code](response, message or code)
    if response.status_code in (400, 422):
        names: FieldNames = field_names or {}
        fields: dict[str, str] = {}
        for entry in entries:
            target = entry.get("target")
            if isinstance(target, str) and target:
                detail = entry.get("message")
                fields.setdefault(
                    _field_name(target, names),
                    detail if isinstance(detail, str) else text or "Invalid value.",
                )
        if fields:
            return errors.ValidationFailed(fields, message)
        if message:
            return errors.ValidationFailed({"body": message}, message)
    table = {**STATUS_ERRORS, **(overrides or {})}
    return http.error_for_response(response, message=message, overrides=table)


def raise_for_status(
    response: httpx.Response,
    *,
    field_names: FieldNames | None = None,
    codes: Mapping[str, http.ErrorFactory] | None = None,
) -> None:
    """Raise `error_for_response(...)` when the status is 4xx or 5xx."""
    if response.status_code >= 400:
        raise error_for_response(response, field_names=field_names, codes=codes)
