"""Background work on Huey: sync runs, health checks, the schedule tick and the sweep of lost work.

The database is the truth (runs, states); the queue only wakes workers. The periodic tick
queues due health checks and syncs and re-enqueues queued runs the queue lost, so a queue outage
delays work but never drops it. `SqliteHuey` in DATA_DIR by default, `RedisHuey` when
`REDIS_URL` is set.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from .accounts import purge_admin_sessions
from .connectors import ConnectorRegistry, SessionOptions
from .events import DELIVERY_TOPIC, EVENT_TOPIC, purge_expired
from .flows import FlowEngine
from .health import (
    BreakerBoard,
    HealthContext,
    check_connection,
    connections_due_for_check,
    record_error_once,
)
from .logs import get_logger
from .model import Entity
from .private_files import private_sqlite_file
from .security import CredentialCipher
from .settings import Settings
from .store import ConnectionRow, UnitOfWorkFactory, utcnow
from .sync import (
    PushContext,
    SyncContext,
    SyncRunView,
    execute_run,
    maintain_push,
    push_due,
    request_runs,
    schedulable_connections,
    scheduled_work,
    stop_push,
)
from .webhooks.deliveries import any_due, next_due_at
from .webhooks.delivery import DeliveryContext, drain, make_http_client
from .webhooks.pump import DeliveryPump

__all__ = ["EmbeddedConsumer", "Worker", "make_queue", "wait_idle"]

_log = get_logger("ironbridge.worker")


def make_queue(settings: Settings) -> Huey:
    """The task queue for this deployment."""
    if settings.queue_immediate:
        return Huey(settings.queue_name, immediate=True)
    if settings.redis_url:
        return RedisHuey(settings.queue_name, url=settings.redis_url)
    path = private_sqlite_file(settings.data_dir / "queue.db")
    return SqliteHuey(settings.queue_name, filename=str(path))


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer running beside the API server: the server owns the process signals."""

    def _set_signal_handlers(self) -> None:
        return None


@dataclass
class Worker:
    """The process's tasks on its shared parts; the same registration in API and worker
    processes."""

    queue: Huey
    settings: Settings
    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    #: One circuit breaker per connection: every call to a source goes through it.
    breakers: BreakerBoard
    #: Durable flow runs (started by events, schedules and the API); None runs no flows.
    flows: FlowEngine | None = None

    def __post_init__(self) -> None:
        self.options = SessionOptions(allow_private_urls=self.settings.allow_private_urls)
        self.sync_context = SyncContext(
            uow=self.uow,
            registry=self.registry,
            cipher=self.cipher,
            options=self.options,
            lock_lease=timedelta(seconds=self.settings.sync_lock_lease_seconds),
            page_size=self.settings.sync_page_size,
            breakers=self.breakers,
        )
        self.health_context = HealthContext(
            uow=self.uow,
            registry=self.registry,
            cipher=self.cipher,
            options=self.options,
            breakers=self.breakers,
            interval=timedelta(seconds=self.settings.health_check_seconds),
        )
        self.push_context = PushContext(
            uow=self.uow,
            registry=self.registry,
            cipher=self.cipher,
            options=self.options,
            public_url=lambda: self.settings.public_url,
        )
        self._run_sync = self.queue.task(name="sync.run", retries=0)(self._run_sync_impl)
        self._push = self.queue.task(name="push.maintain", retries=0)(self._push_impl)
        self._unpush = self.queue.task(name="push.stop", retries=0)(self._unpush_impl)
        self._check = self.queue.task(name="health.check", retries=0)(self._check_impl)
        self._drain = self.queue.task(name="webhook.drain", retries=0)(self._drain_impl)
        self._delivery_context: DeliveryContext | None = None
        #: Sender threads of a process that consumes the queue; None elsewhere.
        self._pump: DeliveryPump | None = None
        self._wake_lock = threading.Lock()
        self._next_wake: datetime | None = None
        self._tick = self.queue.periodic_task(crontab(minute="*"), name="schedule.tick")(self.tick)
        self._consumer: EmbeddedConsumer | None = None
        if self.flows is not None:
            self._run_flow = self.queue.task(name="flow.run", retries=0)(self.flows.start)
            self._dispatch_flows = self.queue.task(name="flow.dispatch", retries=0)(
                self.flows.dispatch
            )
            self.flows.enqueue = self._run_flow

    # task bodies
    def _run_sync_impl(self, connection_id: str, run_id: str) -> str:
        outcome = execute_run(self.sync_context, connection_id, run_id)
        if outcome.status == "queued":
            # Another run holds the connection: try again shortly rather than spin.
            self._run_sync.schedule((connection_id, run_id), delay=5)
        elif outcome.status == "postponed":
            # The circuit is open: wake when it lets a probe through.
            self._run_sync.schedule((connection_id, run_id), delay=max(outcome.retry_after or 0, 1))
        return outcome.status

    def _push_impl(self, connection_id: str, now: datetime | None = None) -> int:
        return maintain_push(self.push_context, connection_id, now)

    def _unpush_impl(self, connection_id: str) -> int:
        return stop_push(self.push_context, connection_id)

    def start_push(self, connection_id: str) -> None:
        """Wake a worker to register the connection's push subscriptions (when its source
        pushes and the public URL is set; the tick renews them)."""
        if self.settings.public_url:
            self._push(connection_id)

    def stop_push(self, connection_id: str) -> None:
        """Wake a worker to remove a disconnected connection's subscriptions at its source."""
        self._unpush(connection_id)

    def _check_impl(self, connection_id: str) -> str:
        outcome = check_connection(self.health_context, connection_id)
        return outcome.status or "gone"

    def schedule_health_checks(self) -> int:
        """Wake workers to check every live connection whose last check is older than the
        interval; returns how many were queued.

        A check re-reads its connection under a lease before it runs, so a connection queued
        by two ticks (or two nodes) is still checked once.
        """
        due = connections_due_for_check(self.uow, utcnow(), self.health_context.interval)
        for connection_id in due:
            self._check(connection_id)
        return len(due)

    def start_sync(
        self,
        connection_id: str,
        entities: list[Entity] | None = None,
        *,
        full: bool = False,
        trigger: str = "api",
        delay: float = 0,
    ) -> list[SyncRunView]:
        """Queue runs for a connection (committed) and wake workers for them.

        An entity that already has a queued run of the same mode reuses it, so notices that
        arrive within `delay` seconds of each other are answered by one run. A new
        connection's first sync (`initial`) also registers its push subscriptions.
        """
        runs = request_runs(
            self.uow, self.registry, connection_id, entities, full=full, trigger=trigger
        )
        for run in runs:
            self.enqueue_sync(connection_id, run.id, delay=delay)
        if trigger == "initial":
            self.start_push(connection_id)
        return runs

    # deliveries
    @property
    def delivery_context(self) -> DeliveryContext:
        if self._delivery_context is None:
            settings = self.settings
            self._delivery_context = DeliveryContext(
                uow=self.uow,
                cipher=self.cipher,
                client=make_http_client(allow_private=settings.allow_private_urls),
                retry_scale=settings.webhook_retry_scale,
            )
        return self._delivery_context

    def _drain_impl(self) -> int:
        pump = self._pump  # read once: stop_consumer may clear it meanwhile
        if pump is not None:
            # Queued by another process: this process's senders do the sending.
            pump.wake()
            return 0
        total = 0
        while True:
            sent, retry_at = drain(self.delivery_context)
            total += sent
            if retry_at is not None:
                self._wake_at(retry_at)
            if sent == 0:
                break
        # Deliveries claimed by a worker that died fall due when their claim ends; make sure
        # someone wakes then rather than at the next minute's tick.
        upcoming = next_due_at(self.uow)
        if upcoming is not None:
            self._wake_at(upcoming)
        return total

    def _wake_at(self, when: datetime) -> None:
        pump = self._pump
        if pump is not None:
            pump.wake_at(when)
            return
        # One pending wake-up per process is enough; an earlier one replaces a later one.
        with self._wake_lock:
            if (
                self._next_wake is not None
                and self._next_wake <= when
                and self._next_wake > utcnow()
            ):
                return
            self._next_wake = when
        self._drain.schedule(eta=when)

    def wake_deliveries(self) -> None:
        """Wake a worker to send what is due (the delivery rows are the truth; this only wakes).

        A process that consumes the queue wakes its own sender threads directly, without the
        queue's polling delay; any other process (`serve --no-worker`) wakes workers through
        the queue.
        """
        pump = self._pump
        if pump is not None:
            pump.wake()
        else:
            self._drain()

    def on_published(self, topic: str, ids: list[str]) -> None:
        """Items committed by a unit of work: new deliveries wake a worker at once."""
        if topic == DELIVERY_TOPIC and ids:
            self.wake_deliveries()
        elif topic == EVENT_TOPIC and ids and self.flows is not None:
            self._dispatch_flows(ids)

    def sweep_deliveries(self) -> int:
        """Wake workers for anything due (lost queue messages, retries after a restart)."""
        if not any_due(self.uow):
            return 0
        self.wake_deliveries()
        return 1

    def purge(self) -> int:
        """Drop events past their retention, and dashboard sessions a day past their expiry."""
        with self.uow() as uow:
            purge_admin_sessions(uow)
            uow.commit()
        return purge_expired(self.uow, timedelta(days=self.settings.event_retention_days))

    def enqueue_sync(self, connection_id: str, run_id: str, *, delay: float = 0) -> None:
        """Wake a worker for a queued run (the run row is already committed)."""
        if delay and not self.queue.immediate:
            self._run_sync.schedule((connection_id, run_id), delay=delay)
        else:
            self._run_sync(connection_id, run_id)

    def tick(self, now: datetime | None = None) -> dict[str, int]:
        """Queue due health checks and scheduled syncs, re-enqueue lost runs and due deliveries,
        keep push subscriptions, purge old events.

        `now` is the moment syncs are scheduled for (the current time unless a test moves it).
        A connection whose scheduling fails is logged and skipped; the others are served.
        """
        swept = self.sweep_deliveries()
        self.purge()
        # Checks first: with an inline queue their verdicts are in before syncs are scheduled.
        checks = self.schedule_health_checks()
        now = now or utcnow()
        counts = {"queued": 0, "resent": 0, "failed": 0, "push": 0}
        for connection in schedulable_connections(self.uow, self.registry):
            try:
                queued, resent = self._schedule_syncs(connection, now)
            except Exception as exc:
                counts["failed"] += 1
                self._scheduling_failed(connection.id, exc)
                continue
            counts["queued"] += queued
            counts["resent"] += resent
            counts["push"] += self._schedule_push(connection, now)
        self._flows_tick(now)
        return {**counts, "deliveries": swept, "checks": checks}

    def _schedule_push(self, connection: ConnectionRow, now: datetime) -> int:
        """Wake a worker for the connection's push subscriptions when some are due (to create,
        renew, re-create or remove); 1 if so. Polling goes on whatever happens here."""
        if self.breakers.is_open(connection.id):
            return 0  # the source is left alone while its circuit is open, as for syncs
        try:
            if not push_due(self.uow, self.registry, connection, self.settings.public_url, now):
                return 0
            self._push(connection.id, now)
        except Exception as exc:  # push must not stop the other connections' schedules
            _log.error("push_schedule_failed", connection_id=connection.id, exc_info=exc)
            return 0
        return 1

    def _flows_tick(self, now: datetime | None) -> None:
        if self.flows is None:
            return
        try:
            self.flows.tick(now)
        except Exception as exc:  # flows must not stop syncs from being scheduled
            _log.error("flows_tick_failed", exc_info=exc)

    def _schedule_syncs(self, connection: ConnectionRow, now: datetime) -> tuple[int, int]:
        """Queue the connection's due syncs and hand lost runs to a worker again; how many."""
        # While the circuit is open the source is left alone: nothing is queued or handed out
        # (a run that starts then is postponed anyway). Once it lets a probe through, the due
        # entities are queued and the postponed runs handed out; the first to run is the probe.
        if self.breakers.is_open(connection.id):
            return 0, 0
        work = scheduled_work(self.uow, self.registry, connection, now)
        for run_id in [*work.fresh, *work.lost]:
            self.enqueue_sync(connection.id, run_id)
        return len(work.fresh), len(work.lost)

    def _scheduling_failed(self, connection_id: str, exc: Exception) -> None:
        """Log a connection's scheduling failure, and tell its integrator once (the error log
        gets it when it differs from the newest entry, not every minute)."""
        _log.error("schedule_failed", connection_id=connection_id, exc_info=exc)
        error = {
            "code": "INTERNAL_ERROR",
            "message": (
                "Scheduling this connection's syncs failed unexpectedly; scheduled syncs are "
                "skipped until it is fixed (the server log has the details)."
            ),
        }
        try:
            record_error_once(self.uow, connection_id, error, operation="sync")
        except Exception as record_exc:  # the store itself may be what fails
            _log.error(
                "schedule_failure_unrecorded", connection_id=connection_id, exc_info=record_exc
            )

    # consumer
    def start_consumer(self, workers: int = 2) -> None:
        """Run workers in threads of this process (the embedded default)."""
        if self.queue.immediate:
            return
        consumer = EmbeddedConsumer(
            self.queue, workers=workers, worker_type="thread", periodic=True
        )
        consumer.start()
        self._consumer = consumer
        self._start_pump(workers)
        if self.flows is not None:
            self.flows.launch()
        # Work left by a previous process (runs it was killed in, deliveries it never sent)
        # resumes now rather than at the next minute's tick.
        threading.Thread(target=self.tick, name="startup-tick", daemon=True).start()
        _log.info("worker_started", workers=workers)

    def _start_pump(self, threads: int) -> None:
        self._pump = DeliveryPump(self.delivery_context, threads=threads)
        self._pump.start()

    def stop_consumer(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._pump is not None:
            self._pump.stop()
            self._pump = None
        if self._delivery_context is not None:
            self._delivery_context.client.close()
            self._delivery_context = None

    def run_forever(self, workers: int = 2) -> None:
        """`ironbridge worker`: consume until interrupted."""
        consumer = Consumer(self.queue, workers=workers, worker_type="thread", periodic=True)
        self._start_pump(workers)
        if self.flows is not None:
            self.flows.launch()
        threading.Thread(target=self.tick, name="startup-tick", daemon=True).start()
        try:
            consumer.run()
        finally:
            self.stop_consumer()


def wait_idle(queue: Huey, timeout: float = 30.0) -> bool:
    """Block until the queue has no pending tasks (tests and the CLI's `sync --wait`)."""
    done = threading.Event()
    deadline = utcnow() + timedelta(seconds=timeout)
    while utcnow() < deadline:
        if queue.pending_count() == 0:
            done.set()
            break
        done.wait(0.05)
    return done.is_set()


def describe(queue: Huey) -> dict[str, Any]:
    return {"backend": type(queue.storage).__name__, "pending": queue.pending_count()}
