"""Verify a webhook from ironbridge: the receiver kit's verifier, reachable from the SDK.

```python
from ironbridge.client import webhooks

event = webhooks.verify(body, headers, secret)   # raises webhooks.WebhookVerificationError
```

The receiver kit (`ironbridge.receiver`) also stores events durably and processes them in
order; see docs/receiver.md. It is imported on first use, so `import ironbridge.client` alone
needs nothing beyond httpx and Pydantic.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ironbridge.receiver.verify import (
        InvalidPayload,
        InvalidSignature,
        InvalidTimestamp,
        MissingHeaders,
        TimestampTooNew,
        TimestampTooOld,
        WebhookVerificationError,
    )

__all__ = [
    "InvalidPayload",
    "InvalidSignature",
    "InvalidTimestamp",
    "MissingHeaders",
    "TimestampTooNew",
    "TimestampTooOld",
    "WebhookVerificationError",
    "verify",
]

#: Seconds a signed timestamp may differ from this machine's clock (the receiver kit's default).
DEFAULT_TOLERANCE = 300
_ERRORS = frozenset(name for name in __all__ if name != "verify")


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    tolerance: int = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Check a webhook's Standard Webhooks signature and return its event.

    Args:
        body: the raw request body, exactly as received.
        headers: the request headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
        secret: the endpoint's `whsec_…` secret, or several during a rotation.
        tolerance: seconds of clock drift allowed.

    Raises:
        WebhookVerificationError: (a subclass of it) the request cannot be trusted; answer 400.
    """
    from ironbridge.receiver.verify import verify as receiver_verify

    return receiver_verify(body, headers, secret, tolerance)


def __getattr__(name: str) -> Any:
    if name in _ERRORS:
        # `ironbridge.receiver.verify` is also the name of the kit's function, so the module is
        # looked up by its full name.
        receiver = importlib.import_module("ironbridge.receiver.verify")
        return getattr(receiver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
