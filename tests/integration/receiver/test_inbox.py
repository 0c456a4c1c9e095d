"""The inbox keeps every accepted event, handles each once, in order, and survives crashes.

Every test runs on SQLite and on PostgreSQL (a throw-away database, one schema per test).
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ironbridge.receiver import EventStatus, Inbox, InvalidSignature
from ironbridge.webhooks.signing import generate_secret, headers

POSTGRES_ADMIN_URL = os.environ.get(
    "IRONBRIDGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this module's own, dropped afterwards."""
    name = f"ib_receiver_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def inbox_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'inbox.db'}"
        return
    database = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    # A schema per test keeps tests apart and shows the inbox follows the search_path.
    yield f"{database}?options=-csearch_path%3D{schema}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def open_inbox(inbox_url: str) -> Iterator[Callable[..., Inbox]]:
    """Opens inboxes on the test's database (no backoff unless asked) and closes them after."""
    opened: list[Inbox] = []

    def factory(**options: Any) -> Inbox:
        inbox = Inbox(inbox_url, **{"backoff_base": 0.0, **options})
        opened.append(inbox)
        return inbox

    yield factory
    for inbox in opened:
        inbox.close()


def event(
    event_id: str,
    sequence: int,
    record: str = "po_1",
    *,
    type: str = "purchase_order.updated",
    connection: str = "conn_1",
    updated_at: str = "2024-05-01T10:00:00Z",
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": type,
        "created_at": "2024-05-01T10:00:01Z",
        "connection_id": connection,
        "sequence": sequence,
        "data": {"id": record, "updated_at": updated_at},
    }


class Recorder:
    """A handler that remembers what it was given, in order, across threads."""

    def __init__(self, delay: float = 0.0) -> None:
        self.seen: list[dict[str, Any]] = []
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self, received: dict[str, Any]) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.seen.append(received)

    @property
    def ids(self) -> list[str]:
        return [item["id"] for item in self.seen]


def test_duplicate_event_is_stored_once_and_handled_once(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox()
    first = inbox.accept_event(event("evt_1", 1), source="webhook")
    again = inbox.accept_event(event("evt_1", 1), source="poll")
    assert (first.duplicate, again.duplicate) == (False, True)
    recorder = Recorder()
    inbox.process_pending({"purchase_order.updated": recorder})
    inbox.process_pending({"purchase_order.updated": recorder})
    assert recorder.ids == ["evt_1"]
    stored = inbox.get("evt_1")
    assert stored is not None and stored.status is EventStatus.PROCESSED
    assert stored.source == "webhook" and stored.attempts == 1


def test_accept_verifies_signatures_when_the_inbox_has_secrets(
    open_inbox: Callable[..., Inbox],
) -> None:
    secret = generate_secret()
    inbox = open_inbox(secrets=[secret])
    body = b'{"id":"evt_s","type":"vendor.created","connection_id":"c","sequence":1,"data":{}}'
    assert inbox.accept(body, headers(secret, "evt_s", body)).duplicate is False
    with pytest.raises(InvalidSignature):
        inbox.accept(body.replace(b"evt_s", b"evt_t"), headers(secret, "evt_t", body))
    assert inbox.get("evt_t") is None
    assert inbox.get("evt_s") is not None and inbox.get("evt_s").body == body.decode()


def test_pending_events_are_handled_in_sequence_order_per_connection(
    open_inbox: Callable[..., Inbox],
) -> None:
    inbox = open_inbox()
    for sequence in (3, 1, 2):
        inbox.accept_event(event(f"a{sequence}", sequence, f"po_{sequence}", connection="conn_a"))
    for sequence in (2, 1):
        inbox.accept_event(event(f"b{sequence}", sequence, f"po_{sequence}", connection="conn_b"))
    recorder = Recorder()
    assert inbox.process_pending({"purchase_order.updated": recorder}) == 5
    assert recorder.ids == ["a1", "a2", "a3", "b1", "b2"]


def test_older_update_arriving_after_a_newer_one_is_skipped(
    open_inbox: Callable[..., Inbox],
) -> None:
    inbox = open_inbox()
    recorder = Recorder()
    handlers = {"purchase_order.updated": recorder, "purchase_order.created": recorder}
    inbox.accept_event(event("evt_5", 5))
    inbox.process_pending(handlers)
    inbox.accept_event(event("evt_4", 4))
    inbox.accept_event(event("evt_3", 3, type="purchase_order.created"))
    inbox.process_pending(handlers)
    assert recorder.ids == ["evt_5"]
    for stale in ("evt_3", "evt_4"):
        stored = inbox.get(stale)
        assert stored is not None and stored.status is EventStatus.SKIPPED
        assert stored.superseded_by == "evt_5" and stored.attempts == 0


def test_newer_update_after_an_applied_one_is_handled(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox()
    recorder = Recorder()
    for event_id, sequence in (("evt_1", 1), ("evt_2", 2)):
        inbox.accept_event(event(event_id, sequence))
        inbox.process_pending({"purchase_order.updated": recorder})
    assert recorder.ids == ["evt_1", "evt_2"]


def test_equal_sequence_is_ordered_by_updated_at(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox()
    recorder = Recorder()
    handlers = {"purchase_order.updated": recorder}
    inbox.accept_event(event("late", 7, updated_at="2024-05-01T12:00:00+02:00"))
    inbox.process_pending(handlers)
    inbox.accept_event(event("early", 7, updated_at="2024-05-01T09:59:59Z"))
    inbox.accept_event(event("same", 7, updated_at="2024-05-01T10:00:00Z"))
    inbox.process_pending(handlers)
    assert recorder.ids == ["late", "same"]
    assert inbox.get("early").status is EventStatus.SKIPPED  # type: ignore[union-attr]


def test_other_records_connections_and_custom_events_are_not_compared(
    open_inbox: Callable[..., Inbox],
) -> None:
    inbox = open_inbox()
    recorder = Recorder()
    handlers = {"purchase_order.updated": recorder, "flow.po_sync": recorder}
    inbox.accept_event(event("newest", 9))
    inbox.process_pending(handlers)
    inbox.accept_event(event("other_record", 2, "po_2"))
    inbox.accept_event(event("other_connection", 2, connection="conn_2"))
    inbox.accept_event(event("custom", 3, type="flow.po_sync"))
    inbox.process_pending(handlers)
    assert sorted(recorder.ids) == ["custom", "newest", "other_connection", "other_record"]


class StepClock:
    """The inbox's clock, moved by the test; `taken` is set each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
        self.taken = threading.Event()

    def __call__(self) -> datetime:
        self.taken.set()
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_failing_handler_is_retried_with_backoff_then_dead(
    open_inbox: Callable[..., Inbox],
) -> None:
    clock = StepClock()
    inbox = open_inbox(max_attempts=3, backoff_base=20, clock=clock)
    inbox.accept_event(event("evt_f", 1))
    calls: list[datetime] = []

    def failing(_event: dict[str, Any]) -> None:
        calls.append(clock.now)
        raise RuntimeError(f"ERP rejected the update (call {len(calls)})")

    handlers = {"purchase_order.updated": failing}
    assert inbox.process_pending(handlers) == 1
    first = inbox.get("evt_f")
    assert first is not None and first.status is EventStatus.PENDING and first.attempts == 1
    assert first.next_attempt_at - first.received_at == timedelta(seconds=20)
    # Each wait doubles: 20 s, then 40 s. Just before it ends nothing is retried (no storm).
    for wait in (20, 40):
        clock.advance(wait - 0.5)
        assert inbox.process_pending(handlers) == 0
        clock.advance(0.5)
        assert inbox.process_pending(handlers) == 1
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(calls)] == [20, 40]
    dead = inbox.get("evt_f")
    assert dead is not None and dead.status is EventStatus.DEAD and dead.attempts == 3
    assert "RuntimeError: ERP rejected the update (call 3)" in (dead.last_error or "")
    clock.advance(3600)
    assert inbox.process_pending(handlers) == 0


def test_handler_that_recovers_is_processed_with_its_attempts_counted(
    open_inbox: Callable[..., Inbox],
) -> None:
    inbox = open_inbox()
    inbox.accept_event(event("evt_r", 1))
    outcomes = iter([ValueError("database locked"), None])

    def flaky(_event: dict[str, Any]) -> None:
        error = next(outcomes)
        if error is not None:
            raise error

    handlers = {"purchase_order.updated": flaky}
    inbox.process_pending(handlers)
    inbox.process_pending(handlers)
    stored = inbox.get("evt_r")
    assert stored is not None and stored.status is EventStatus.PROCESSED and stored.attempts == 2


def test_one_failing_event_does_not_hold_up_the_others(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox(backoff_base=60)
    inbox.accept_event(event("bad", 1, "po_1"))
    inbox.accept_event(event("good", 2, "po_2"))
    recorder = Recorder()

    def handler(received: dict[str, Any]) -> None:
        if received["id"] == "bad":
            raise RuntimeError("no")
        recorder(received)

    assert inbox.process_pending({"purchase_order.updated": handler}) == 2
    assert recorder.ids == ["good"]


def test_event_without_a_handler_is_ignored_and_can_be_requeued(
    open_inbox: Callable[..., Inbox],
) -> None:
    inbox = open_inbox()
    inbox.accept_event(event("evt_i", 1, type="work_order.created"))
    inbox.process_pending({})
    assert inbox.get("evt_i").status is EventStatus.IGNORED  # type: ignore[union-attr]
    assert inbox.requeue("evt_i") is True
    recorder = Recorder()
    inbox.process_pending({"work_order.created": recorder})
    assert recorder.ids == ["evt_i"]
    assert inbox.requeue("evt_i") is False  # processed events stay processed


def test_dead_event_can_be_requeued_after_a_fix(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox(max_attempts=1)
    inbox.accept_event(event("evt_d", 1))

    def broken(_event: dict[str, Any]) -> None:
        raise KeyError("status")

    inbox.process_pending({"purchase_order.updated": broken})
    assert inbox.counts()[EventStatus.DEAD] == 1
    assert [item.event_id for item in inbox.events(EventStatus.DEAD)] == ["evt_d"]
    assert inbox.requeue("evt_d") is True
    recorder = Recorder()
    inbox.process_pending({"purchase_order.updated": recorder})
    assert recorder.ids == ["evt_d"]
    assert inbox.counts()[EventStatus.PROCESSED] == 1


CRASHING_ACCEPT = """
import os, sys
from ironbridge.receiver import Inbox
inbox = Inbox(sys.argv[1])
result = inbox.accept_event({"id": "evt_c", "type": "vendor.updated", "connection_id": "c",
                             "sequence": 1, "data": {"id": "ven_1"}}, source="webhook")
assert not result.duplicate
os._exit(17)  # die without closing anything, as a killed process would
"""


def test_accepted_event_survives_a_crash_before_processing(
    inbox_url: str, open_inbox: Callable[..., Inbox]
) -> None:
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_ACCEPT, inbox_url], capture_output=True, timeout=60
    )
    assert crashed.returncode == 17, crashed.stderr.decode()
    recorder = Recorder()
    assert open_inbox().process_pending({"vendor.updated": recorder}) == 1
    assert recorder.ids == ["evt_c"]


def test_two_concurrent_processors_handle_each_event_exactly_once_and_in_record_order(
    open_inbox: Callable[..., Inbox],
) -> None:
    events = [
        event(f"evt_{connection}_{record}_{sequence}", sequence, record, connection=connection)
        for connection in ("conn_1", "conn_2")
        for record in ("po_1", "po_2", "po_3")
        for sequence in range(1, 21)
    ]
    # Number each record's events consecutively, so that the two workers keep taking events
    # of the same record at the same time: the case where updates could overtake each other.
    for index, item in enumerate(events):
        item["sequence"] = index
    random.Random(7).shuffle(events)
    accepting = open_inbox()
    for item in events:
        accepting.accept_event(item)

    recorder = Recorder(delay=0.001)
    # Two Inbox objects mean two engines and two connection pools, as two processes would have.
    workers = [open_inbox(), open_inbox()]
    start = threading.Barrier(len(workers))

    def work(inbox: Inbox) -> None:
        start.wait()
        inbox.process_pending({"purchase_order.updated": recorder})

    threads = [threading.Thread(target=work, args=(inbox,)) for inbox in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(recorder.ids) == len(set(recorder.ids))
    counts = accepting.counts()
    assert counts[EventStatus.PROCESSED] + counts[EventStatus.SKIPPED] == len(events)
    assert counts[EventStatus.PROCESSED] == len(recorder.ids)
    applied: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in recorder.seen:
        applied[(item["connection_id"], item["data"]["id"])].append(item["sequence"])
    newest: dict[tuple[str, str], int] = defaultdict(int)
    for item in events:
        key = (item["connection_id"], item["data"]["id"])
        newest[key] = max(newest[key], item["sequence"])
    for key, sequences in applied.items():
        assert sequences == sorted(sequences), f"{key} went back in time: {sequences}"
        assert sequences[-1] == newest[key]


def test_run_handles_an_accepted_event_without_waiting_for_its_poll_interval(
    open_inbox: Callable[..., Inbox],
) -> None:
    clock = StepClock()
    inbox = open_inbox(clock=clock)
    handled = threading.Event()
    worker = threading.Thread(
        target=inbox.run,
        args=({"vendor.created": lambda _event: handled.set()},),
        kwargs={"poll_interval": 30},
    )
    worker.start()
    try:
        # The worker's first pass has read the clock: an event accepted later is not due in
        # that pass, so only the wake-up (not the 30 s poll) can get it handled in time.
        assert clock.taken.wait(5)
        clock.advance(1)
        inbox.accept_event(event("evt_w", 1, "ven_1", type="vendor.created"), source="webhook")
        assert handled.wait(5)
    finally:
        inbox.stop()
        worker.join(timeout=5)
    assert not worker.is_alive()


def test_cursor_is_saved_and_replaced(open_inbox: Callable[..., Inbox]) -> None:
    inbox = open_inbox()
    assert inbox.cursor("poller") is None
    inbox.save_cursor("poller", "c1")
    inbox.save_cursor("poller", "c2")
    assert open_inbox().cursor("poller") == "c2"


def test_last_webhook_time_ignores_polled_events(open_inbox: Callable[..., Inbox]) -> None:
    clock = StepClock()
    inbox = open_inbox(clock=clock)
    inbox.accept_event(event("polled", 1))
    assert inbox.last_webhook_at() is None
    clock.advance(90)
    inbox.accept_event(event("pushed", 2), source="webhook")
    assert inbox.last_webhook_at() == clock.now
