"""Sender threads that drain due deliveries the moment they are committed in this process.

A task queue wakes its consumer by polling (SQLite) or over the network (Redis); a delivery
committed in the process that also sends it needs neither: the commit wakes a sender thread
here directly. Retries wake a sender at their due time. The delivery rows stay the truth: a wake
that is lost (the process dies) is made good by the periodic sweep, like any lost queue message.
"""

from __future__ import annotations

import threading
from datetime import datetime

from ..logs import get_logger
from ..store import utcnow
from ..store.webhooks import DeliveryRepository
from .delivery import DeliveryContext, drain

__all__ = ["DeliveryPump"]

_log = get_logger("ironbridge.webhooks")


class DeliveryPump:
    """`threads` senders sharing one delivery context (one keep-alive client).

    `wake()` has one idle sender drain what is due; a sender that claims a full batch wakes
    another, so a burst keeps several batches in flight while a single event costs one claim.
    `wake_at(when)` has a sender drain at `when` (retries, claims of a worker that died).
    """

    def __init__(self, context: DeliveryContext, *, threads: int = 2, batch: int = 50) -> None:
        if threads < 1:
            raise ValueError("a delivery pump needs at least one sender thread")
        self._context = context
        self._batch = batch
        self._cond = threading.Condition()
        self._wakes = 0
        self._due_at: datetime | None = None
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._run, name=f"webhook-sender-{i}", daemon=True)
            for i in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Let senders finish the batch in hand (each send is bounded by its timeout)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def wake(self) -> None:
        """Have one sender drain what is due now."""
        with self._cond:
            # More pending wakes than senders would only repeat empty claims.
            if self._wakes < len(self._threads):
                self._wakes += 1
            self._cond.notify()

    def wake_at(self, when: datetime) -> None:
        """Have a sender drain at `when`; an earlier time replaces a later one."""
        with self._cond:
            if self._due_at is None or when < self._due_at:
                self._due_at = when
                self._cond.notify()

    def _next(self) -> bool:
        """Wait until a wake or the due time; False once stopping."""
        with self._cond:
            while not self._stopping:
                if self._wakes:
                    self._wakes -= 1
                    return True
                if self._due_at is None:
                    self._cond.wait()
                    continue
                remaining = (self._due_at - utcnow()).total_seconds()
                if remaining <= 0:
                    self._due_at = None
                    return True
                self._cond.wait(remaining)
            return False

    def _run(self) -> None:
        while self._next():
            try:
                self._drain_due()
            except Exception as exc:
                # The rows stay due; the next wake or the periodic sweep sends them.
                _log.error("webhook_drain_failed", exc_info=exc)

    def _claimed(self, size: int) -> None:
        if size >= self._batch:
            self.wake()

    def _drain_due(self) -> None:
        while True:
            sent, retry_at = drain(self._context, self._batch, claimed=self._claimed)
            if retry_at is not None:
                self.wake_at(retry_at)
            if sent < self._batch:
                break
        # Deliveries claimed by a worker that died fall due when their claim ends: wake then
        # rather than at the next sweep.
        with self._context.uow(readonly=True) as uow:
            upcoming = DeliveryRepository(uow.connection, None).next_due_at()
        if upcoming is not None:
            self.wake_at(upcoming)
