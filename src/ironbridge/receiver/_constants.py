"""Names and limits the receiver kit shares between its modules.

The kit is used inside integrators' own services, so it imports nothing else from ironbridge;
these values come from the Standard Webhooks specification and the ironbridge API contract.
"""

from __future__ import annotations

from typing import Final

HEADER_ID: Final = "webhook-id"
HEADER_TIMESTAMP: Final = "webhook-timestamp"
HEADER_SIGNATURE: Final = "webhook-signature"
REQUIRED_HEADERS: Final = (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)

SECRET_PREFIX: Final = "whsec_"  # noqa: S105, the public prefix of every secret
SIGNATURE_VERSION: Final = "v1"

#: Seconds a signature's timestamp may differ from the receiver's clock (Standard Webhooks).
DEFAULT_TOLERANCE: Final = 300

#: Largest webhook body the HTTP adapters read; ironbridge events are a few kilobytes.
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024

#: Event types that describe no record's state, so stale-update ordering never applies to them.
UNORDERED_TYPE_PREFIXES: Final = ("flow.", "webhook.")
