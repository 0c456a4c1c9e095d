"""The composition root: builds engine, stores, limiter and registry when a process starts."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from .connectors import Connector, ConnectorRegistry, SessionOptions, default_registry
from .flows import FlowEngine
from .health import BreakerBoard
from .ratelimit import RateLimiter
from .security import CredentialCipher
from .settings import Settings, load_secret_key
from .store import UnitOfWorkFactory, make_engine, upgrade
from .worker import Worker, make_queue

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
    #: One circuit breaker per connection (state in Redis when configured, so nodes agree).
    breakers: BreakerBoard
    _worker: Any = None

    @property
    def worker(self) -> Worker:
        """Background tasks (built on first use, so CLI commands that need none stay light)."""
        if self._worker is None:
            self._worker = Worker(
                make_queue(self.settings),
                settings=self.settings,
                uow=self.uow,
                registry=self.registry,
                cipher=self.cipher,
                breakers=self.breakers,
                flows=FlowEngine(self),
            )
        worker: Worker = self._worker
        return worker

    @property
    def flows(self) -> FlowEngine:
        """Durable flow runs, on the worker's queue."""
        engine = self.worker.flows
        assert engine is not None, "the container's worker always runs flows"
        return engine

    @cached_property
    def read_threads(self) -> int:
        """Unified reads served at once (`Settings.read_threads`), worked out once: every read
        asks."""
        return self.settings.resolved_read_threads

    @property
    def session_options(self) -> SessionOptions:
        """How connectors open sessions in this deployment."""
        return SessionOptions(allow_private_urls=self.settings.allow_private_urls)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop_consumer()
        self.breakers.close()
        self.engine.dispose()


def _load_connector(path: str) -> Connector:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"connector {path!r} must be given as module:attribute")
    connector = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(connector, Connector):
        raise TypeError(f"{path} is not a Connector instance")
    return connector


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
    if registry is None:
        registry = default_registry()
        for path in settings.connectors:
            registry.register(_load_connector(path))
    uow = UnitOfWorkFactory(engine)
    breakers = BreakerBoard.from_settings(settings)
    container = Container(
        settings=settings,
        engine=engine,
        uow=uow,
        cipher=CredentialCipher(load_secret_key(settings)),
        limiter=RateLimiter.for_redis(settings.redis_url),
        registry=registry,
        breakers=breakers,
    )
    # Committed work that needs a worker (new deliveries) wakes the queue.
    uow.notify = lambda topic, ids: container.worker.on_published(topic, ids)
    return container
