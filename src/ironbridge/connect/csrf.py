"""CSRF tokens of the connect flow: an HMAC of the link token's id.

The flow runs inside iframes on other sites, where browsers withhold third-party cookies, so a
cookie-based double submit would not work there. Instead every form carries a token that only
this server can compute for that link session, with a key derived from SECRET_KEY for this
purpose alone.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["CsrfTokens"]

_PURPOSE = b"ironbridge/connect-csrf/v1"


class CsrfTokens:
    """Issues and verifies CSRF tokens bound to one link session."""

    def __init__(self, secret_key: str) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
            secret_key.encode()
        )

    def issue(self, link_id: str) -> str:
        """The CSRF token of the link session `link_id`."""
        return hmac.new(self._key, link_id.encode(), hashlib.sha256).hexdigest()

    def verify(self, link_id: str, presented: str | None) -> bool:
        """Whether `presented` is the CSRF token of `link_id` (constant time)."""
        if not presented:
            return False
        return hmac.compare_digest(self.issue(link_id), presented)
