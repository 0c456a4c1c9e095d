"""Initial sync of N purchase orders (5 lines each) from an in-process source.

Prints records/s for: reading the source alone, reading + mapping/validating/hashing (no
store), and the full sync into the store (SQLite) — the ratio is the engine's overhead — and the
peak memory of each size, run in a fresh process, to show it stays flat as N grows.
`python bench/sync.py [--sizes 10000 100000]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ironbridge.connectors import (
    AuthField,
    Capability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorRegistry,
    ConnectorSession,
    ConnectorSpec,
    IdFactory,
    RawRecord,
    SessionOptions,
)
from ironbridge.model import Entity

BASE = datetime(2026, 1, 1, tzinfo=UTC)

SPEC = ConnectorSpec(
    id="generated",
    name="Generated",
    category="erp",
    logo="",
    description="Purchase orders generated in process.",
    auth_fields=(AuthField("count", "Count", "How many orders.", secret=False),),
    setup_guide=(),
    capabilities={Entity.PURCHASE_ORDERS: Capability(True, False, False, False)},
    change_field="modified",
    passthrough=False,
    default_history_days=None,
)


def order(i: int) -> dict[str, Any]:
    lines = [
        {
            "line_number": n,
            "item": {"remote_id": f"ITEM-{(i * 7 + n) % 900}"},
            "item_code": f"ITEM-{(i * 7 + n) % 900}",
            "description": f"Spare part {n} for order {i}",
            "quantity": str(n + 1),
            "quantity_received": "0",
            "unit_of_measure": "EA",
            "unit_price": f"{(i % 97) + n}.25",
            "line_total": f"{((i % 97) + n + 0.25) * (n + 1):.2f}",
        }
        for n in range(1, 6)
    ]
    return {
        "number": f"PO-{i:07d}",
        "status": "approved",
        "vendor": {"remote_id": f"V{i % 500}"},
        "currency": "USD",
        "order_date": "2026-01-01",
        "payment_terms": "Net 30",
        "buyer": "Sam Buyer",
        "notes": "Deliver to dock 4",
        "lines": lines,
    }


class _Session(ConnectorSession):
    def __init__(self, count: int, options: SessionOptions | None) -> None:
        super().__init__(SPEC, options)
        self.count = count

    def check(self) -> Iterator[CheckResult]:
        for stage in CheckStage:
            yield CheckResult(stage, True, "ok")

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        for start in range(0, self.count, page_size):
            yield [
                RawRecord(f"P{i:07d}", BASE + timedelta(seconds=i), order(i))
                for i in range(start, min(start + page_size, self.count))
            ]

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        i = int(remote_id[1:])
        return RawRecord(remote_id, BASE + timedelta(seconds=i), order(i))


class Generated(Connector):
    spec = SPEC

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        return _Session(int(credentials["count"]), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        data = dict(raw.data)
        data["vendor"] = {**data["vendor"], "id": ids(Entity.VENDORS, data["vendor"]["remote_id"])}
        data["lines"] = [
            {
                **line,
                "item": {
                    **line["item"],
                    "id": ids(Entity.INVENTORY_ITEMS, line["item"]["remote_id"]),
                },
            }
            for line in data["lines"]
        ]
        data.update(
            id=ids(entity, raw.remote_id), remote_id=raw.remote_id, updated_at=raw.modified_at
        )
        return data


def run_size(count: int) -> dict[str, float]:
    from ironbridge.accounts import create_account
    from ironbridge.bootstrap import bootstrap
    from ironbridge.connections import ConnectionCreate, connect
    from ironbridge.settings import Settings
    from ironbridge.sync import SyncContext, execute_run, queue_runs
    from ironbridge.unified import Projector

    connector = Generated()
    session = connector.session({"count": str(count)})
    began = time.perf_counter()
    read = sum(len(page) for page in session.list_changes(Entity.PURCHASE_ORDERS, None))
    read_s = time.perf_counter() - began
    projector = Projector(connector, "conn_BENCH", Entity.PURCHASE_ORDERS)
    began = time.perf_counter()
    for page in session.list_changes(Entity.PURCHASE_ORDERS, None):
        for raw in page:
            projector.write(raw)
    project_s = time.perf_counter() - began

    tmp = Path(tempfile.mkdtemp(prefix="ib-sync-bench-"))
    container = bootstrap(
        Settings(data_dir=tmp, log_level="WARNING", queue_immediate=True, sync_page_size=1000),
        registry=ConnectorRegistry([connector]),
    )
    with container.uow() as uow:
        account = create_account(uow, "bench")
        view, _ = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system="generated",
                end_customer_id="b",
                end_customer_name="B",
                credentials={"count": str(count)},
            ),
            options=container.session_options,
        )
        (run,) = queue_runs(
            uow,
            uow.connections.get(account.id, view.id),
            container.registry,
            None,
            trigger="initial",
        )  # type: ignore[arg-type]
    ctx = SyncContext(
        container.uow,
        container.registry,
        container.cipher,
        container.session_options,
        page_size=1000,
    )
    began = time.perf_counter()
    outcome = execute_run(ctx, view.id, run.id)
    sync_s = time.perf_counter() - began
    assert outcome.status == "succeeded" and outcome.created == count, outcome
    return {
        "count": count,
        "read_per_s": read / read_s,
        "project_per_s": count / project_s,
        "sync_per_s": count / sync_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one)))
        return
    print(
        f"{'orders':>8} {'read/s':>10} {'map+hash/s':>11} {'sync/s':>9} {'sync/map':>9} {'peak RSS':>9}"
    )
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{size:>8} {r['read_per_s']:>10.0f} {r['project_per_s']:>11.0f} {r['sync_per_s']:>9.0f} "
            f"{r['sync_per_s'] / r['project_per_s']:>8.2f}x {r['peak_rss_mb']:>7.0f} MB"
        )


if __name__ == "__main__":
    main()
