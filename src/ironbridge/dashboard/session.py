"""Dashboard sessions and their CSRF tokens, signed with keys derived from SECRET_KEY.

Signing in exchanges an admin key for a session cookie that names the key's credential id (never
the key), its account, an expiry and a random nonce, signed with HMAC-SHA256. Each request
checks the signature and expiry here, and in the store that the session (named by its nonce's
digest) is not ended and the credential is live: signing out, or revoking the admin key, ends
a session everywhere its cookie went. Forms carry an HMAC of the session's nonce (the sign-in
form: of a pre-session cookie's nonce), which a page on another site can neither read nor
compute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DashboardSession", "SessionCodec"]


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class DashboardSession:
    account_id: str
    credential_id: str
    expires_at: datetime
    nonce: str


class SessionCodec:
    """Issues and reads session cookie values and the CSRF tokens bound to them."""

    def __init__(self, secret_key: str, lifetime: timedelta) -> None:
        self._sign_key = _derive(secret_key, b"ironbridge/dashboard-session/v1")
        self._csrf_key = _derive(secret_key, b"ironbridge/dashboard-csrf/v1")
        self.lifetime = lifetime

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._sign_key, payload.encode(), hashlib.sha256).digest())

    def issue(self, account_id: str, credential_id: str, now: datetime) -> str:
        """A cookie value for a session of `credential_id` that ends `lifetime` after `now`."""
        return self.open(account_id, credential_id, now)[0]

    def open(
        self, account_id: str, credential_id: str, now: datetime
    ) -> tuple[str, DashboardSession]:
        """A new session of `credential_id` ending `lifetime` after `now`: its cookie value,
        and the session (whose nonce names its row in the store)."""
        expires = int((now + self.lifetime).timestamp())
        nonce = secrets.token_hex(16)
        body = {"a": account_id, "c": credential_id, "e": expires, "n": nonce}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        expires_at = datetime.fromtimestamp(expires, tz=now.tzinfo)
        session = DashboardSession(account_id, credential_id, expires_at, nonce)
        return f"{payload}.{self._mac(payload)}", session

    def read(self, value: str | None, now: datetime) -> DashboardSession | None:
        """The session `value` carries, or None if it is missing, forged or expired."""
        if not value or value.count(".") != 1:
            return None
        payload, mac = value.split(".")
        if not hmac.compare_digest(self._mac(payload), mac):
            return None
        try:
            body = json.loads(_unb64(payload))
            expires_at = datetime.fromtimestamp(int(body["e"]), tz=now.tzinfo)
            session = DashboardSession(str(body["a"]), str(body["c"]), expires_at, str(body["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if expires_at > now else None

    @staticmethod
    def new_nonce() -> str:
        """A random value for the pre-session cookie that the sign-in form's token is bound to."""
        return secrets.token_hex(16)

    def csrf(self, nonce: str) -> str:
        """The CSRF token of forms in the session (or pre-session) with `nonce`."""
        return hmac.new(self._csrf_key, nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, nonce: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf(nonce), presented or "")
