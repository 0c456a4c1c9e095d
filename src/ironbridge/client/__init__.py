"""The Python SDK of ironbridge: `Client` and `AsyncClient` for the management API (admin key)
and the unified API (connection token).

```python
from ironbridge.client import Client, RecordLocked

plant = Client(api_key=CONNECTION_TOKEN, base_url="https://ironbridge.example.com")
for po in plant.purchase_orders.list(status="approved"):   # every page, by next_cursor
    print(po.number, po.total_amount)
```

- lists iterate across pages (`.list(...)`) or return one page (`.page(...)`);
- connection errors, 408, 429 and 5xx are retried with backoff and jitter, honouring
  `Retry-After`; writes carry an `Idempotency-Key` that stays the same across retries;
- every error answer raises the class of its `error.code` (`errors.py`), with `code`,
  `status`, `request_id`, `details` and `message`;
- answers are Pydantic models generated from the server's OpenAPI document (`models.py`);
- `webhooks.verify(body, headers, secret)` checks a webhook's signature.

The SDK imports nothing of the server (only httpx and Pydantic), so it runs in any service.
"""

from . import models, webhooks
from .client import AsyncClient, Client
from .errors import (
    AuthenticationFailed,
    Conflict,
    ConnectionCheckFailed,
    ConnectionDisconnected,
    ConnectionReauthRequired,
    ConnectionUnavailable,
    IdempotencyKeyReused,
    InternalError,
    InvalidRequest,
    IronbridgeError,
    MethodNotAllowed,
    NotFound,
    OperationNotSupported,
    PermissionDenied,
    RateLimitExceeded,
    RecordLocked,
    RequestTooLarge,
    ServiceUnavailable,
    UpstreamError,
    UpstreamTimeout,
    ValidationFailed,
)
from .retries import RetryPolicy

__all__ = [
    "AsyncClient",
    "AuthenticationFailed",
    "Client",
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
    "RetryPolicy",
    "ServiceUnavailable",
    "UpstreamError",
    "UpstreamTimeout",
    "ValidationFailed",
    "models",
    "webhooks",
]
