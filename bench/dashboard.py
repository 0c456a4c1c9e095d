"""Server time of the dashboard's overview and connections table, in an account with 5,000
connections and 1M events, beside the same questions asked of SQLite directly, in the same run.

The store: one account, `--connections` connections (mostly active; some offline, needing
reauthorization, syncing or disconnected), six entities each with a sync state and a record
count, an error log for the failing ones, 1,000 failed deliveries, and `--events` events spread
over the last 30 days.

- baseline: Python's sqlite3 on the same file answering the same questions in the plainest
  way: counts by status, the connections needing attention, the newest failed deliveries and
  events per hour over 24 h (`GROUP BY` the hour of `created_at`) for the overview; the first
  50 connections with their newest error, sync states and record counts for the table;
- ironbridge: `GET /dashboard/` and `GET /dashboard/connections` through the ASGI app in
  process (session cookie, services, templates; no network), p50 and p95 of `--rounds`.

`python bench/dashboard.py [--connections 5000] [--events 1000000] [--rounds 30]`.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ironbridge.accounts import create_account, create_admin_key
from ironbridge.api import create_app
from ironbridge.bootstrap import bootstrap
from ironbridge.logs import configure_logging
from ironbridge.model import Entity
from ironbridge.settings import Settings
from ironbridge.store import tables

NOW = datetime.now(UTC)
STATUSES = (
    ["active"] * 90
    + ["offline"] * 3
    + ["auth_required"] * 3
    + ["syncing"] * 2
    + ["disconnected"] * 2
)


def fill(settings: Settings, connections: int, events: int) -> tuple[str, str]:
    """The account id and its admin key, after filling the store."""
    container = bootstrap(settings)
    with container.uow() as uow:
        account = create_account(uow, "Bench Integrations")
        key = create_admin_key(uow, account.id)
    rng = random.Random(7)
    ids = [f"conn_{i:026d}" for i in range(connections)]
    started = time.perf_counter()
    with container.engine.begin() as db:
        rows, states, counts, errors = [], [], [], []
        for i, cid in enumerate(ids):
            status = rng.choice(STATUSES)
            created = NOW - timedelta(days=365) + timedelta(minutes=i)
            rows.append(
                {
                    "id": cid,
                    "account_id": account.id,
                    "system": "sandbox",
                    "end_customer_id": f"customer-{i}",
                    "end_customer_name": f"Plant {i} GmbH",
                    "status": status,
                    "credentials_ciphertext": "",
                    "settings": {"sync_schedule": "hourly", "history_days": 90},
                    "enabled_event_types": [],
                    "metadata": {},
                    "health": {},
                    "last_checked_at": NOW,
                    "created_at": created,
                    "updated_at": created,
                    "disconnected_at": NOW if status == "disconnected" else None,
                }
            )
            failing = status in ("offline", "auth_required") or rng.random() < 0.02
            for entity in Entity:
                states.append(
                    {
                        "connection_id": cid,
                        "entity": entity.value,
                        "status": "failed" if failing else "idle",
                        "last_success_at": NOW - timedelta(hours=rng.randint(1, 48)),
                        "records_seen": 100,
                        "updated_at": NOW,
                    }
                )
                counts.append({"connection_id": cid, "entity": entity.value, "live": 100})
            if failing:
                errors.append(
                    {
                        "id": f"err_{i:026d}",
                        "connection_id": cid,
                        "occurred_at": NOW - timedelta(minutes=rng.randint(1, 600)),
                        "operation": "sync",
                        "entity": "purchase-orders",
                        "code": "CONNECTION_UNAVAILABLE",
                        "message": "The source did not answer.",
                    }
                )
        db.execute(tables.connections.insert(), rows)
        db.execute(tables.sync_states.insert(), states)
        db.execute(tables.record_counts.insert(), counts)
        db.execute(tables.connection_errors.insert(), errors)
        db.execute(
            tables.webhook_endpoints.insert(),
            [
                {
                    "id": "we_bench",
                    "account_id": account.id,
                    "url": "https://example.com/hook",
                    "secrets": [],
                    "enabled": True,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        db.execute(
            tables.deliveries.insert(),
            [
                {
                    "id": f"dlv_{i:026d}",
                    "account_id": account.id,
                    "endpoint_id": "we_bench",
                    "event_id": f"evt_{i:026d}",
                    "event_type": "sync.failed",
                    "status": "failed",
                    "attempts": 20,
                    "created_at": NOW - timedelta(days=2, minutes=i),
                }
                for i in range(1000)
            ],
        )
    span = timedelta(days=30).total_seconds()
    batch = 20_000
    for start in range(0, events, batch):
        chunk = []
        for n in range(start, min(start + batch, events)):
            chunk.append(
                {
                    "id": f"evt_{n:026d}",
                    "account_id": account.id,
                    "connection_id": ids[n % connections],
                    "type": "purchase_order.updated",
                    "sequence": n // connections,
                    # Oldest first, as events are written.
                    "created_at": NOW - timedelta(seconds=span * (1 - n / events)),
                    "data": {"id": f"po_{n}"},
                }
            )
        with container.engine.begin() as db:
            db.execute(tables.events.insert(), chunk)
    print(
        f"filled {connections} connections, {events} events in {time.perf_counter() - started:.0f} s"
    )
    container.close()
    return account.id, key.token


def timed(label: str, call: Callable[[], object], rounds: int) -> list[float]:
    call()  # warm up caches and compiled statements
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def show(label: str, ours: list[float], base: list[float]) -> None:
    def p(samples: list[float], q: int) -> float:
        return statistics.quantiles(samples, n=100)[q - 1]

    print(
        f"{label:<22} ironbridge p50 {statistics.median(ours):7.1f} ms  p95 {p(ours, 95):7.1f} ms"
        f"   baseline p50 {statistics.median(base):7.1f} ms  p95 {p(base, 95):7.1f} ms"
        f"   ({statistics.median(ours) / statistics.median(base):.1f}x)"
    )


def baseline_overview(db: sqlite3.Connection, account_id: str) -> None:
    db.execute(
        "SELECT status, count(*) FROM connections WHERE account_id = ? GROUP BY status",
        (account_id,),
    ).fetchall()
    db.execute(
        "SELECT * FROM connections c WHERE account_id = ? AND (status IN ('auth_required', "
        "'offline') OR (status != 'disconnected' AND EXISTS (SELECT 1 FROM sync_states s "
        "WHERE s.connection_id = c.id AND s.status = 'failed'))) ORDER BY updated_at DESC "
        "LIMIT 10",
        (account_id,),
    ).fetchall()
    db.execute(
        "SELECT * FROM deliveries WHERE account_id = ? AND status = 'failed' "
        "ORDER BY created_at DESC LIMIT 5",
        (account_id,),
    ).fetchall()
    since = (NOW - timedelta(hours=24)).strftime("%Y-%m-%d %H:%M:%S")
    db.execute(
        "SELECT substr(created_at, 1, 13), count(*) FROM events WHERE account_id = ? "
        "AND created_at >= ? GROUP BY 1",
        (account_id, since),
    ).fetchall()


def baseline_table(db: sqlite3.Connection, account_id: str) -> None:
    rows = db.execute(
        "SELECT * FROM connections WHERE account_id = ? ORDER BY created_at, id LIMIT 50",
        (account_id,),
    ).fetchall()
    for row in rows:
        db.execute(
            "SELECT * FROM connection_errors WHERE connection_id = ? "
            "ORDER BY occurred_at DESC, id DESC LIMIT 1",
            (row[0],),
        ).fetchall()
        db.execute("SELECT * FROM sync_states WHERE connection_id = ?", (row[0],)).fetchall()
    db.execute(
        f"SELECT * FROM record_counts WHERE connection_id IN ({','.join('?' * len(rows))})",
        [row[0] for row in rows],
    ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ib-bench-dash-") as scratch:
        settings = Settings(data_dir=Path(scratch), log_level="WARNING", queue_immediate=True)  # type: ignore[call-arg]
        account_id, key = fill(settings, args.connections, args.events)
        container = bootstrap(settings)
        configure_logging("WARNING")  # no access log line per measured request
        database = container.engine.url.database
        assert database is not None
        raw = sqlite3.connect(database)
        with TestClient(create_app(container)) as client:
            page = client.get("/dashboard/sign-in")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None
            client.post("/dashboard/sign-in", data={"admin_key": key, "csrf": csrf.group(1)})

            def get(path: str) -> Callable[[], object]:
                def call() -> object:
                    response = client.get(path)
                    assert response.status_code == 200, response.text[:300]
                    return response

                return call

            overview = get("/dashboard/")
            assert "Needs attention" in overview().text  # type: ignore[attr-defined]
            show(
                "overview",
                timed("overview", overview, args.rounds),
                timed("baseline", lambda: baseline_overview(raw, account_id), args.rounds),
            )
            show(
                "connections table",
                timed("table", get("/dashboard/connections"), args.rounds),
                timed("baseline", lambda: baseline_table(raw, account_id), args.rounds),
            )
            show(
                "connections search",
                timed("search", get("/dashboard/connections?q=plant+49"), args.rounds),
                timed("baseline", lambda: baseline_table(raw, account_id), args.rounds),
            )
        raw.close()
        container.close()


if __name__ == "__main__":
    sys.exit(main())
