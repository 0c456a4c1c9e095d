"""The error contract as exceptions: one class per `error.code`, raised for every non-2xx answer.

```
IronbridgeError                   any error answer; unknown codes raise this class itself
├── InvalidRequest                400 INVALID_REQUEST
│   ├── ValidationFailed          400 VALIDATION_FAILED (details.fields)
│   ├── ConnectionCheckFailed     400 CONNECTION_CHECK_FAILED (details.stage)
│   ├── OperationNotSupported     400 OPERATION_NOT_SUPPORTED
│   ├── MethodNotAllowed          405 METHOD_NOT_ALLOWED
│   └── RequestTooLarge           413 REQUEST_TOO_LARGE
├── AuthenticationFailed          401
├── PermissionDenied              403
├── NotFound                      404
├── Conflict                      409 CONFLICT
│   ├── RecordLocked              409 RECORD_LOCKED
│   ├── IdempotencyKeyReused      409 IDEMPOTENCY_KEY_REUSED
│   └── ConnectionReauthRequired  409 CONNECTION_REAUTH_REQUIRED
├── ConnectionDisconnected        410
├── RateLimitExceeded             429 (retry_after)
├── InternalError                 500
├── UpstreamError                 502
├── ConnectionUnavailable         503 CONNECTION_UNAVAILABLE (retry_after)
├── ServiceUnavailable            503 SERVICE_UNAVAILABLE (retry_after)
└── UpstreamTimeout               504
```

Catch a family (`except Conflict`) or one code (`except RecordLocked`); `code`, `status`,
`request_id`, `details` and `message` are on every instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ERRORS_BY_CODE",
    "AuthenticationFailed",
    "Conflict",
    "ConnectionCheckFailed",
    "ConnectionDisconnected",
    "ConnectionReauthRequired",
    "ConnectionUnavailable",
    "IdempotencyKeyReused",
    "InternalError",
    "InvalidRequest",
    "IronbridgeError",
    "MethodNotAllowed",
    "NotFound",
    "OperationNotSupported",
    "PermissionDenied",
    "RateLimitExceeded",
    "RecordLocked",
    "RequestTooLarge",
    "ServiceUnavailable",
    "UpstreamError",
    "UpstreamTimeout",
    "ValidationFailed",
    "error_from_response",
]


class IronbridgeError(Exception):
    """An error answer of the ironbridge API.

    Attributes:
        code: the stable identifier (`RECORD_LOCKED`); None when the answer had no error body
            (a proxy's HTML page, say).
        status: the HTTP status.
        request_id: the `X-Request-ID` to quote to an operator.
        details: machine-readable specifics (`fields`, `stage` …), empty when there are none.
        message: for people; may change between versions.
        retry_after: seconds the server asked to wait (`Retry-After`), when it said.
    """

    #: The `error.code` this class stands for; None on the base class.
    error_code: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int = 0,
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        type: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.error_code
        self.status = status
        self.request_id = request_id
        self.details: dict[str, Any] = dict(details or {})
        self.type = type
        self.retry_after = retry_after

    def __str__(self) -> str:
        prefix = f"{self.status} {self.code}" if self.code else str(self.status)
        suffix = f" (request {self.request_id})" if self.request_id else ""
        return f"{prefix}: {self.message}{suffix}"


class InvalidRequest(IronbridgeError):
    """The request is malformed or not allowed as sent (400)."""

    error_code = "INVALID_REQUEST"


class ValidationFailed(InvalidRequest):
    """Some fields are invalid; `details["fields"]` names them with a reason each."""

    error_code = "VALIDATION_FAILED"


class ConnectionCheckFailed(InvalidRequest):
    """A server-side connect failed its staged check; `details["stage"]` says where."""

    error_code = "CONNECTION_CHECK_FAILED"


class OperationNotSupported(InvalidRequest):
    """The connection's system cannot do this operation on this entity."""

    error_code = "OPERATION_NOT_SUPPORTED"


class MethodNotAllowed(InvalidRequest):
    """The path exists but not with this method (405)."""

    error_code = "METHOD_NOT_ALLOWED"


class RequestTooLarge(InvalidRequest):
    """The request body is over the server's limit (413)."""

    error_code = "REQUEST_TOO_LARGE"


class AuthenticationFailed(IronbridgeError):
    """Missing, unknown or revoked admin key or connection token (401)."""

    error_code = "AUTHENTICATION_FAILED"


class PermissionDenied(IronbridgeError):
    """The credential may not reach this resource (403), e.g. a token on a management path."""

    error_code = "PERMISSION_DENIED"


class NotFound(IronbridgeError):
    """No such resource (404)."""

    error_code = "NOT_FOUND"


class Conflict(IronbridgeError):
    """The request conflicts with the resource's current state (409)."""

    error_code = "CONFLICT"


class RecordLocked(Conflict):
    """The source system refuses to change the record, e.g. an approved purchase order."""

    error_code = "RECORD_LOCKED"


class IdempotencyKeyReused(Conflict):
    """The `Idempotency-Key` was used before with a different request body."""

    error_code = "IDEMPOTENCY_KEY_REUSED"


class ConnectionReauthRequired(Conflict):
    """The connection's credentials stopped working; its owner must reconnect."""

    error_code = "CONNECTION_REAUTH_REQUIRED"


class ConnectionDisconnected(IronbridgeError):
    """The connection was disconnected (410); its token no longer reads or writes."""

    error_code = "CONNECTION_DISCONNECTED"


class RateLimitExceeded(IronbridgeError):
    """Too many requests (429); `retry_after` says when to try again."""

    error_code = "RATE_LIMIT_EXCEEDED"


class InternalError(IronbridgeError):
    """ironbridge failed (500); quote `request_id` to its operator."""

    error_code = "INTERNAL_ERROR"


class UpstreamError(IronbridgeError):
    """The source system answered with an error (502)."""

    error_code = "UPSTREAM_ERROR"


class ConnectionUnavailable(IronbridgeError):
    """The source system is unreachable for now (503), e.g. its circuit is open."""

    error_code = "CONNECTION_UNAVAILABLE"


class ServiceUnavailable(IronbridgeError):
    """ironbridge cannot serve the request for now (503)."""

    error_code = "SERVICE_UNAVAILABLE"


class UpstreamTimeout(IronbridgeError):
    """The source system did not answer in time (504)."""

    error_code = "UPSTREAM_TIMEOUT"


#: The class raised for each `error.code`; a code missing here raises `IronbridgeError`.
ERRORS_BY_CODE: Mapping[str, type[IronbridgeError]] = {
    cls.error_code: cls
    for cls in (
        InvalidRequest,
        ValidationFailed,
        ConnectionCheckFailed,
        OperationNotSupported,
        MethodNotAllowed,
        RequestTooLarge,
        AuthenticationFailed,
        PermissionDenied,
        NotFound,
        Conflict,
        RecordLocked,
        IdempotencyKeyReused,
        ConnectionReauthRequired,
        ConnectionDisconnected,
        RateLimitExceeded,
        InternalError,
        UpstreamError,
        ConnectionUnavailable,
        ServiceUnavailable,
        UpstreamTimeout,
    )
    if cls.error_code is not None
}


def error_from_response(
    status: int, body: object, request_id: str | None, retry_after: float | None = None
) -> IronbridgeError:
    """The exception for an error answer: its `error.code`'s class, or the base class."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return IronbridgeError(
            f"HTTP {status} without an ironbridge error body",
            status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    code = error.get("code")
    code = code if isinstance(code, str) else None
    details = error.get("details")
    cls = ERRORS_BY_CODE.get(code or "", IronbridgeError)
    return cls(
        str(error.get("message") or f"HTTP {status}"),
        code=code,
        status=status,
        request_id=str(error.get("request_id") or request_id or "") or None,
        details=details if isinstance(details, Mapping) else None,
        type=error.get("type") if isinstance(error.get("type"), str) else None,
        retry_after=retry_after,
    )
