"""Idempotent writes: a repeated `Idempotency-Key` with the same body gets the first response.

The key is claimed in its own committed transaction before the write runs, so two concurrent
requests with one key cannot both reach the source system. Outcomes are kept for 24 hours.
Server-side failures (5xx) release the key, so the caller can retry the write itself.

Writes whose request or answer carries a secret (a connect: source credentials in, the
connection token out) pass a cipher: their outcome is stored encrypted, and their fingerprint
is keyed, so neither reveals the secret to a reader of the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from .errors import Conflict, IdempotencyKeyReused, IronbridgeError, ValidationFailed
from .ids import new_id
from .security import CredentialCipher
from .store import UnitOfWorkFactory, utcnow
from .store.idempotency import IdempotencyRepository

__all__ = ["KEY_PATTERN", "RETENTION", "StoredResponse", "request_fingerprint", "run_idempotent"]

RETENTION = timedelta(hours=24)
#: An `Idempotency-Key`: 1-255 printable ASCII characters, without the spaces at either end
#: that HTTP drops from a header value (so the key stored is the key sent).
KEY_PATTERN: Final = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: str
    replayed: bool


def request_fingerprint(
    method: str, path: str, body: Any, *, cipher: CredentialCipher | None = None
) -> str:
    """What must match for a repeat to count as the same request; keyed by `cipher` when
    the body holds secrets (a plain digest of a short password can be reversed by guessing)."""
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    if cipher is not None:
        return cipher.digest(canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_idempotent(
    uow: UnitOfWorkFactory,
    scope: str,
    key: str | None,
    fingerprint: str,
    action: Callable[[], tuple[int, str]],
    *,
    cipher: CredentialCipher | None = None,
) -> StoredResponse:
    """Run `action` (returning status and JSON body) at most once per key in `scope`; with a
    `cipher`, the stored body is encrypted by it."""
    seal, unseal = _sealing(cipher)
    if key is None:
        status, body = action()
        return StoredResponse(status, body, replayed=False)
    if not _KEY.match(key):
        raise ValidationFailed(
            {"Idempotency-Key": "must be 1-255 printable ASCII characters, no space at either end"}
        )
    now = utcnow()
    with uow() as work:
        repo = IdempotencyRepository(work.connection, scope)
        existing = repo.find(key)
        if existing is not None and existing.created_at < now - RETENTION:
            repo.release(key)
            existing = None
        if existing is None and repo.claim(new_id("idem"), key, fingerprint, now):
            work.commit()
        else:
            found = existing or repo.find(key)
            if found is None:  # released between our two reads; the caller may simply retry
                raise Conflict("A request with this Idempotency-Key is being processed.")
            if found.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used with a different request in the last 24 h."
                )
            if found.status_code is None or found.response_body is None:
                raise Conflict("A request with this Idempotency-Key is still being processed.")
            return StoredResponse(found.status_code, unseal(found.response_body), replayed=True)
    try:
        status, body = action()
    except IronbridgeError as exc:
        with uow() as work:
            repo = IdempotencyRepository(work.connection, scope)
            if exc.status >= 500:
                repo.release(key)
            else:
                repo.complete(key, exc.status, seal(json.dumps({"error": exc.to_dict("")})))
            work.commit()
        raise
    except Exception:
        with uow() as work:
            IdempotencyRepository(work.connection, scope).release(key)
            work.commit()
        raise
    with uow() as work:
        IdempotencyRepository(work.connection, scope).complete(key, status, seal(body))
        work.commit()
    return StoredResponse(status, body, replayed=False)


def _sealing(cipher: CredentialCipher | None) -> tuple[Callable[[str], str], Callable[[str], str]]:
    if cipher is None:
        return (lambda body: body), (lambda body: body)
    return (
        lambda body: cipher.encrypt({"response": body}),
        lambda sealed: str(cipher.decrypt(sealed)["response"]),
    )
