"""Leased locks in the database: shared by every API and worker process, on SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from .tables import locks
from .types import utcnow

__all__ = ["acquire_lock", "is_locked", "release_lock", "renew_lock", "sync_lock_name"]


def sync_lock_name(connection_id: str) -> str:
    """The lock a connection's sync run holds (one run per connection at a time)."""
    return f"sync:{connection_id}"


def acquire_lock(engine: Engine, name: str, owner: str, lease: timedelta) -> bool:
    """Take `name` for `lease` unless a live lease is held; expired leases are taken over."""
    now = utcnow()
    with engine.connect() as conn:
        try:
            conn.execute(locks.insert().values(name=name, owner=owner, expires_at=now + lease))
            conn.commit()
            return True
        except IntegrityError:
            conn.rollback()
        result = conn.execute(
            update(locks)
            .where(locks.c.name == name, locks.c.expires_at < now)
            .values(owner=owner, expires_at=now + lease)
        )
        conn.commit()
        return bool(result.rowcount)


def renew_lock(engine: Engine, name: str, owner: str, lease: timedelta) -> bool:
    """Extend a held lease; False if it was lost (expired and taken)."""
    with engine.connect() as conn:
        result = conn.execute(
            update(locks)
            .where(locks.c.name == name, locks.c.owner == owner)
            .values(expires_at=utcnow() + lease)
        )
        conn.commit()
        return bool(result.rowcount)


def is_locked(engine: Engine, name: str) -> bool:
    """Whether a live lease on `name` is held by anyone."""
    with engine.connect() as conn:
        expires = conn.execute(
            select(locks.c.expires_at).where(locks.c.name == name)
        ).scalar_one_or_none()
    return expires is not None and expires > utcnow()


def release_lock(engine: Engine, name: str, owner: str) -> None:
    with engine.connect() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.owner == owner))
        conn.commit()
