"""Verify an ironbridge webhook (Standard Webhooks signature) and read the event it carries.

```
WebhookVerificationError     the request cannot be trusted or used as sent
├── MissingHeaders           webhook-id, webhook-timestamp or webhook-signature is absent or empty
├── InvalidTimestamp         webhook-timestamp is not whole Unix seconds
│   ├── TimestampTooOld      older than the tolerance: a replay, or a request held up too long
│   └── TimestampTooNew      ahead of this clock by more than the tolerance
├── InvalidSignature         no `v1` signature matches any of the secrets
└── InvalidPayload           correctly signed, but not an ironbridge event body
```

Answer 400 for all of them: the sender's retry of the same request cannot succeed either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ._constants import (
    DEFAULT_TOLERANCE,
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    REQUIRED_HEADERS,
    SECRET_PREFIX,
    SIGNATURE_VERSION,
)

__all__ = [
    "InvalidPayload",
    "InvalidSignature",
    "InvalidTimestamp",
    "MissingHeaders",
    "TimestampTooNew",
    "TimestampTooOld",
    "WebhookVerificationError",
    "parse_event",
    "verify",
]


class WebhookVerificationError(Exception):
    """A webhook request that cannot be trusted or used; `code` names the reason for logs and
    HTTP answers.

    ```python
    try:
        event = verify(body, headers, secret)
    except WebhookVerificationError as exc:
        return 400, exc.code
    ```
    """

    code: ClassVar[str] = "verification_failed"


class MissingHeaders(WebhookVerificationError):
    """Raised when one of the three Standard Webhooks headers is absent or empty."""

    code = "missing_headers"


class InvalidTimestamp(WebhookVerificationError):
    """Raised when `webhook-timestamp` is not an integer number of Unix seconds."""

    code = "invalid_timestamp"


class TimestampTooOld(InvalidTimestamp):
    """Raised when the timestamp is older than the tolerance allows (a possible replay)."""

    code = "timestamp_too_old"


class TimestampTooNew(InvalidTimestamp):
    """Raised when the timestamp is further in the future than the tolerance allows."""

    code = "timestamp_too_new"


class InvalidSignature(WebhookVerificationError):
    """Raised when no `v1` signature in `webhook-signature` matches any of the secrets."""

    code = "invalid_signature"


class InvalidPayload(WebhookVerificationError):
    """Raised when a correctly signed body is not an event (not JSON, or a field is wrong)."""

    code = "invalid_payload"


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secrets: str | Sequence[str],
    tolerance: int = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Check that `body` was signed by ironbridge with one of `secrets`, and return its event.

    Args:
        body: the raw request body, exactly as received (never a re-serialized JSON).
        headers: the request headers; names are matched case-insensitively.
        secrets: the endpoint secret, or several during a rotation (old and new both work).
        tolerance: seconds the signed timestamp may differ from this machine's clock.

    Returns:
        The event `{"id", "type", "created_at", "connection_id", "sequence", "data", …}`;
        `created_at`, `connection_id` and `sequence` are None when the event has none.

    Raises:
        MissingHeaders, InvalidTimestamp (TimestampTooOld, TimestampTooNew), InvalidSignature,
        InvalidPayload: all subclasses of WebhookVerificationError.
        ValueError: `secrets` is empty or malformed (a configuration error, not a bad request).
    """
    keys = _secret_keys(secrets)
    lowered = {name.lower(): value for name, value in headers.items()}
    if not all(lowered.get(name) for name in REQUIRED_HEADERS):
        missing = [name for name in REQUIRED_HEADERS if not lowered.get(name)]
        raise MissingHeaders(f"missing webhook headers: {', '.join(missing)}")
    msg_id = lowered[HEADER_ID]
    timestamp = lowered[HEADER_TIMESTAMP].strip()
    _check_timestamp(timestamp, tolerance)

    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = [hmac.new(key, signed, hashlib.sha256).digest() for key in keys]
    if not _any_signature_matches(lowered[HEADER_SIGNATURE], expected):
        raise InvalidSignature("no signature matches the webhook secret")
    return parse_event(body)


def parse_event(body: bytes) -> dict[str, Any]:
    """The event in a webhook body, checked for shape but not for a signature.

    Use `verify` for requests from the network; this is for bodies already verified or read
    from a trusted store.

    Raises:
        InvalidPayload: the body is not UTF-8 JSON, or not an event.
    """
    try:
        decoded = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPayload("the webhook body is not UTF-8 JSON") from exc
    return _checked_event(decoded)


def _checked_event(candidate: object) -> dict[str, Any]:
    """`candidate` as an event dict with every envelope field present; raises InvalidPayload."""
    if not isinstance(candidate, Mapping):
        raise InvalidPayload("an event is a JSON object")
    event = dict(candidate)
    for name in ("id", "type"):
        value = event.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidPayload(f"an event needs a non-empty string {name!r}")
    if not isinstance(event.get("data"), Mapping):
        raise InvalidPayload("an event needs an object 'data'")
    for name in ("created_at", "connection_id"):
        event.setdefault(name, None)
        if event[name] is not None and not isinstance(event[name], str):
            raise InvalidPayload(f"{name!r} must be a string or null")
    sequence = event.setdefault("sequence", None)
    # bool is an int subclass; `true` is never a sequence number.
    if sequence is not None and (isinstance(sequence, bool) or not isinstance(sequence, int)):
        raise InvalidPayload("'sequence' must be an integer or null")
    return event


def _secret_keys(secrets: str | Sequence[str]) -> list[bytes]:
    candidates = [secrets] if isinstance(secrets, str) else list(secrets)
    if not candidates:
        raise ValueError("at least one webhook secret is needed to verify")
    return [_secret_key(secret) for secret in candidates]


def _secret_key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX).rstrip("=")
    # Secrets copied by hand sometimes lose their base64 padding; restore it before decoding.
    encoded += "=" * (-len(encoded) % 4)
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from exc
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def _check_timestamp(timestamp: str, tolerance: int) -> None:
    # isdigit alone accepts non-ASCII digits, which int() reads but the sender never writes.
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise InvalidTimestamp("webhook-timestamp is not Unix seconds")
    sent_at = int(timestamp)
    now = time.time()
    if sent_at < now - tolerance:
        raise TimestampTooOld("webhook-timestamp is older than the tolerance")
    if sent_at > now + tolerance:
        raise TimestampTooNew("webhook-timestamp is further ahead than the tolerance")


def _any_signature_matches(header: str, expected: list[bytes]) -> bool:
    """Whether any `v1,<base64>` entry equals any expected digest, compared in constant time."""
    for entry in header.split():
        version, _, encoded = entry.partition(",")
        # Other versions may appear beside v1 (e.g. asymmetric `v1a`); they are not ours to check.
        if version != SIGNATURE_VERSION or not encoded:
            continue
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        for digest in expected:
            if hmac.compare_digest(digest, candidate):
                return True
    return False
