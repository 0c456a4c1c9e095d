"""The typed error taxonomy: one tree that every layer may raise and the API renders.

```
IronbridgeError                      (500 INTERNAL_ERROR, api_error)
├── InvalidRequest                   (400 INVALID_REQUEST)
│   ├── ValidationFailed             (400 VALIDATION_FAILED, details.fields)
│   ├── ConnectionCheckFailed        (400 CONNECTION_CHECK_FAILED, details.stage)
│   ├── OperationNotSupported        (400 OPERATION_NOT_SUPPORTED, names connector/entity/operation)
│   ├── MethodNotAllowed             (405 METHOD_NOT_ALLOWED)
│   └── RequestTooLarge              (413 REQUEST_TOO_LARGE)
├── AuthenticationFailed             (401)
├── PermissionDenied                 (403)
├── NotFound                         (404)
├── Conflict                         (409 CONFLICT)
│   ├── RecordLocked                 (409 RECORD_LOCKED)
│   ├── IdempotencyKeyReused         (409)
│   └── ConnectionReauthRequired     (409; upstream credentials expired or revoked)
├── ConnectionDisconnected           (410)
├── RateLimitExceeded                (429 + Retry-After; ours or the source system's)
├── UpstreamError                    (502; the source answered with something unusable)
├── ServiceUnavailable               (503 + Retry-After)
│   └── ConnectionUnavailable        (503; source unreachable or its circuit is open)
└── UpstreamTimeout                  (504)
```

Connectors raise these directly, so nothing re-classifies failures: the API renders the class
attributes (`status`, `code`, `type`), and a sync run looks the class up in its one table of
what to do (`sync/resolution.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "ConnectionCheckFailed",
    "ConnectionDisconnected",
    "ConnectionReauthRequired",
    "ConnectionUnavailable",
    "EntityUnavailable",
    "IdempotencyKeyReused",
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
]


class IronbridgeError(Exception):
    """Base of every error ironbridge reports; also what an unexpected failure becomes."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    type: ClassVar[str] = "api_error"
    #: Whether trying the same thing again later may succeed.
    retryable: ClassVar[bool] = False
    default_message: ClassVar[str] = "An internal error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details: dict[str, Any] = dict(details or {})
        self.retry_after = retry_after
        super().__init__(self.message)

    def to_dict(self, request_id: str) -> dict[str, Any]:
        """The `error` object of the API contract."""
        return {
            "code": self.code,
            "type": self.type,
            "message": self.message,
            "request_id": request_id,
            "details": self.details,
        }


class InvalidRequest(IronbridgeError):
    """The request cannot be served as sent."""

    status = 400
    code = "INVALID_REQUEST"
    type = "invalid_request_error"
    default_message = "The request is invalid."


class ValidationFailed(InvalidRequest):
    """One or more fields are invalid; `details.fields` maps each field path to its problem."""

    code = "VALIDATION_FAILED"
    default_message = "Some fields are invalid."

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        names = ", ".join(sorted(fields))
        super().__init__(message or f"Invalid fields: {names}.", details={"fields": dict(fields)})
        self.fields = dict(fields)


class ConnectionCheckFailed(InvalidRequest):
    """A connection check failed at `stage` (reach, authenticate, permissions)."""

    code = "CONNECTION_CHECK_FAILED"

    def __init__(
        self,
        stage: str,
        message: str,
        *,
        fix: str | None = None,
        entities: dict[str, Any] | None = None,
    ) -> None:
        details: dict[str, Any] = {"stage": stage}
        if fix:
            details["fix"] = fix
        if entities:
            # Per entity the system does not fully offer: status, reason, what to enable.
            details["entities"] = entities
        super().__init__(message, details=details)
        self.stage = stage


class OperationNotSupported(InvalidRequest):
    """The connector does not offer this operation on this entity."""

    code = "OPERATION_NOT_SUPPORTED"

    def __init__(self, connector: str, entity: str, operation: str) -> None:
        super().__init__(
            f"The {connector} connector does not support {operation} on {entity}.",
            details={"connector": connector, "entity": entity, "operation": operation},
        )


class EntityUnavailable(OperationNotSupported):
    """The connector reads the entity, but the connected system does not offer it.

    Answered as `OPERATION_NOT_SUPPORTED` (the contract's code for "this connection cannot do
    that"), with `details.availability = "unavailable"`, the `reason` and what to `enable`, so
    an integrator can pass the fix on to the customer.
    """

    def __init__(
        self, connector: str, entity: str, operation: str, *, reason: str, enable: str | None
    ) -> None:
        super().__init__(connector, entity, operation)
        self.message = f"{entity} is not available in this connection's system: {reason}" + (
            f" To make it available: {enable}" if enable else ""
        )
        self.args = (self.message,)
        self.details.update(availability="unavailable", reason=reason, enable=enable)


class MethodNotAllowed(InvalidRequest):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "This method is not allowed on this path."


class RequestTooLarge(InvalidRequest):
    status = 413
    code = "REQUEST_TOO_LARGE"
    default_message = "The request body is too large."


class AuthenticationFailed(IronbridgeError):
    status = 401
    code = "AUTHENTICATION_FAILED"
    type = "authentication_error"
    default_message = "Missing, unknown or revoked credential."


class PermissionDenied(IronbridgeError):
    status = 403
    code = "PERMISSION_DENIED"
    type = "permission_error"
    default_message = "This credential may not access that resource."


class NotFound(IronbridgeError):
    status = 404
    code = "NOT_FOUND"
    type = "invalid_request_error"
    default_message = "No such resource."


class Conflict(IronbridgeError):
    status = 409
    code = "CONFLICT"
    type = "invalid_request_error"
    default_message = "The request conflicts with the current state of the resource."


class RecordLocked(Conflict):
    """The source system refuses to change the record in its current state."""

    code = "RECORD_LOCKED"
    default_message = "The record is locked in the source system."


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used with a different request."


class ConnectionReauthRequired(Conflict):
    """The source system no longer accepts the stored credentials."""

    code = "CONNECTION_REAUTH_REQUIRED"
    type = "connection_error"
    default_message = "The connection must be re-authorised by its owner."


class ConnectionDisconnected(IronbridgeError):
    status = 410
    code = "CONNECTION_DISCONNECTED"
    type = "connection_error"
    default_message = "The connection has been disconnected."


class RateLimitExceeded(IronbridgeError):
    status = 429
    code = "RATE_LIMIT_EXCEEDED"
    type = "rate_limit_error"
    retryable = True
    default_message = "Too many requests."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float = 1.0,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after, details=details)


class UpstreamError(IronbridgeError):
    status = 502
    code = "UPSTREAM_ERROR"
    type = "upstream_error"
    retryable = True
    default_message = "The source system returned an error."


class ServiceUnavailable(IronbridgeError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    type = "api_error"
    retryable = True
    default_message = "The service is temporarily unavailable."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float = 30.0,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after, details=details)


class ConnectionUnavailable(ServiceUnavailable):
    code = "CONNECTION_UNAVAILABLE"
    type = "connection_error"
    default_message = "The source system cannot be reached right now."


class UpstreamTimeout(IronbridgeError):
    status = 504
    code = "UPSTREAM_TIMEOUT"
    type = "upstream_error"
    retryable = True
    default_message = "The source system did not answer in time."
