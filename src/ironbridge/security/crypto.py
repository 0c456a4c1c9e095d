"""Encryption of source-system credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["CredentialCipher"]


def _derive(secret_key: str, purpose: bytes) -> bytes:
    # A purpose-bound subkey keeps the credential key apart from any other use of SECRET_KEY.
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


class CredentialCipher:
    """Encrypts a credentials mapping to an opaque string and back."""

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(_derive(secret_key, b"ironbridge/credentials/v1"))
        self._digest_key = _derive(secret_key, b"ironbridge/fingerprints/v1")

    def encrypt(self, credentials: Mapping[str, Any]) -> str:
        """Ciphertext of the JSON form of `credentials`."""
        return self._fernet.encrypt(json.dumps(dict(credentials)).encode()).decode()

    def digest(self, text: str) -> str:
        """A keyed digest (HMAC-SHA256) of `text`: comparable, but no guess of what it covers
        can be checked without SECRET_KEY."""
        return hmac.new(self._digest_key, text.encode(), hashlib.sha256).hexdigest()

    def decrypt(self, ciphertext: str) -> dict[str, Any]:
        """The credentials mapping; raises ValueError if the ciphertext was not ours."""
        try:
            data = self._fernet.decrypt(ciphertext.encode())
        except InvalidToken as exc:
            raise ValueError("credentials cannot be decrypted with this SECRET_KEY") from exc
        value: dict[str, Any] = json.loads(data)
        return value
