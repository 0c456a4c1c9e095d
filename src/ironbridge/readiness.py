"""Readiness: whether the dependencies this deployment is configured with answer right now."""

from __future__ import annotations

from redis import Redis
from sqlalchemy import Engine

from .store import is_current

__all__ = ["OK", "check_dependencies"]

#: The verdict of a dependency that answers; anything else says what is wrong.
OK = "ok"
#: Seconds a readiness probe may wait on Redis before calling it unavailable.
REDIS_TIMEOUT = 2.0


def _database(engine: Engine) -> str:
    try:
        return OK if is_current(engine) else "migrations pending"
    except Exception as exc:  # any driver failure means "not ready", with its class named
        return f"unavailable: {type(exc).__name__}"


def _redis(url: str) -> str:
    # A client of its own: the limiter, queue and breakers keep pools whose state a probe
    # should neither depend on nor disturb. The error's text may hold the URL, so only its
    # class is reported.
    client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"
    finally:
        client.close()
    return OK


def check_dependencies(engine: Engine, redis_url: str | None) -> dict[str, str]:
    """One verdict per dependency: the database (reachable and migrated) always, Redis when
    the deployment uses it (`REDIS_URL`); each is `OK` or says what failed."""
    checks = {"database": _database(engine)}
    if redis_url:
        checks["redis"] = _redis(redis_url)
    return checks
