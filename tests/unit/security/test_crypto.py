from __future__ import annotations

import pytest

from ironbridge.security import CredentialCipher


def test_credentials_round_trip_and_are_not_visible_in_ciphertext() -> None:
    cipher = CredentialCipher("k" * 40)
    secret = {"username": "admin", "password": "Adm1n-Secret-Pass"}
    token = cipher.encrypt(secret)
    assert "Adm1n" not in token and "admin" not in token
    assert cipher.decrypt(token) == secret
    assert cipher.encrypt(secret) != token  # random IV each time


def test_another_secret_key_cannot_decrypt() -> None:
    token = CredentialCipher("one key").encrypt({"password": "p"})
    with pytest.raises(ValueError, match="SECRET_KEY"):
        CredentialCipher("another key").decrypt(token)
