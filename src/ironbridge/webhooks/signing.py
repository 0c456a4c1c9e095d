"""Standard Webhooks signatures for outbound webhooks.

A request carries three headers (Standard Webhooks, "Signature scheme"):

- `webhook-id`: the event id, stable across retries and replays, so receivers can deduplicate;
- `webhook-timestamp`: Unix seconds of this attempt, so receivers can refuse replays;
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret,
  separated by spaces.

An endpoint secret is `whsec_` + base64 of 32 random bytes. During a rotation the old and the
new secret both sign for 24 hours, so a receiver still configured with either one accepts the
request. Any Standard Webhooks verifier (`standardwebhooks`, `svix`, `ironbridge.receiver`)
checks these signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _random
import time
from collections.abc import Sequence

__all__ = [
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "SECRET_PREFIX",
    "generate_secret",
    "headers",
    "sign",
    "signature_header",
]

SECRET_PREFIX = "whsec_"  # noqa: S105, the public prefix of every secret
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"

_SECRET_BYTES = 32
_VERSION = "v1"


def generate_secret() -> str:
    """A new endpoint secret: `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(_SECRET_BYTES)).decode("ascii")


def _secret_key(secret: str) -> bytes:
    """The HMAC key inside `secret`; raises ValueError for anything that is not a secret."""
    encoded = secret.removeprefix(SECRET_PREFIX).rstrip("=")
    # Secrets pasted from elsewhere sometimes lose their padding; restore it before decoding,
    # as the reference library does.
    encoded += "=" * (-len(encoded) % 4)
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from exc
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `v1,<base64>` signature of `body` sent as message `msg_id` at `timestamp`.

    Args:
        secret: the endpoint secret (`whsec_…`; the prefix is optional).
        msg_id: the `webhook-id` header value (the event id).
        timestamp: the `webhook-timestamp` header value, in Unix seconds.
        body: the exact bytes of the request body; any re-serialization breaks the signature.

    Raises:
        ValueError: `secret` is not base64 or is empty.
    """
    signed = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return f"{_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_header(secrets: str | Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret, separated by spaces.

    Pass the old and the new secret during a rotation; a receiver accepts the request when any
    one of the signatures matches a secret it knows. Repeated secrets sign once.

    Raises:
        ValueError: no secret is given, or one of them is malformed.
    """
    keys = [secrets] if isinstance(secrets, str) else list(dict.fromkeys(secrets))
    if not keys:
        raise ValueError("at least one webhook secret is needed to sign")
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in keys)


def headers(
    secrets: str | Sequence[str],
    msg_id: str,
    body: bytes,
    *,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The three Standard Webhooks headers for sending `body` as message `msg_id`.

    `timestamp` defaults to now: each delivery attempt is signed afresh, so a retry a day later
    still falls inside the receiver's tolerance while `webhook-id` stays the same.
    """
    sent_at = int(time.time()) if timestamp is None else int(timestamp)
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(sent_at),
        HEADER_SIGNATURE: signature_header(secrets, msg_id, sent_at, body),
    }
