"""The composition root: builds engine, stores, limiter and registry when a process starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from .connectors import ConnectorRegistry, SessionOptions, default_registry
from .ratelimit import RateLimiter
from .security import CredentialCipher
from .settings import Settings, load_secret_key
from .store import UnitOfWorkFactory, make_engine, upgrade

if TYPE_CHECKING:
    from .worker import Worker

__all__ = ["Container", "bootstrap"]


@dataclass
class Container:
    """Everything a process shares; passed to the app and workers, never a global."""

    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    cipher: CredentialCipher
    limiter: RateLimiter
    registry: ConnectorRegistry
    #: Called inside each sync page's transaction with its record changes (event outbox).
    change_hook: Callable[..., None] | None = None
    #: Called after each sync run ends.
    sync_finished_hook: Callable[..., None] | None = None
    _worker: Any = None

    @property
    def worker(self) -> Worker:
        """Background tasks (built on first use, so CLI commands that need none stay light)."""
        if self._worker is None:
            from .worker import Worker, make_queue

            self._worker = Worker(self, make_queue(self))
        worker: Worker = self._worker
        return worker

    @property
    def session_options(self) -> SessionOptions:
        """How connectors open sessions in this deployment."""
        return SessionOptions(allow_private_urls=self.settings.allow_private_urls)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop_consumer()
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    registry: ConnectorRegistry | None = None,
) -> Container:
    """Build a Container for `settings` (environment by default), migrating the store first."""
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return Container(
        settings=settings,
        engine=engine,
        uow=UnitOfWorkFactory(engine),
        cipher=CredentialCipher(load_secret_key(settings)),
        limiter=RateLimiter.for_redis(settings.redis_url),
        registry=registry or default_registry(),
    )
