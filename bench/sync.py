"""Sync of N purchase orders (5 lines each) from an in-process source, beside a plain
SQLAlchemy Core upsert of the same documents, in the same run.

Initial sync (one fresh process per size and side, so peak memory is each one's own):
- baseline: the source's documents as sorted compact JSON, hashed, upserted 1,000 per
  transaction into an equivalent table with plain Core (one lookup of existing hashes per
  batch, unchanged documents skipped);
- ironbridge: the same source through the real engine (`execute_run`: projection, store
  upsert, cursor, run counts; `--events` also writes one change event per record, as a
  non-initial full sync into an empty store does);
- the ratio, and the peak memory each added (ru_maxrss), which stays flat as N grows.

Incremental sync: 100 changed orders read by an incremental run, in a store of `--small`
records and in one of `--large` records (the large store is the small one's rows copied in
SQL under other remote ids), median of `--rounds` runs each, and the ratio.

`python bench/sync.py [--sizes 10000 100000] [--small 10000] [--large 1000000] [--quick]`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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
#: Where a child process keeps its stores; removed when it ends (a 1M-record store is GBs).
_SCRATCH: str | None = None
#: remote id → the round of changes that last touched it (orders are changed in place).
_CHANGES: dict[str, int] = {}

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
        # Order i was last changed at BASE + i s, unless a round of changes touched it since.
        first = 0 if since is None else max(0, int((since - BASE).total_seconds()))
        records = (self.get(entity, f"P{i:07d}") for i in range(first, self.count))
        changed = [
            self.get(entity, remote) for remote in sorted(_CHANGES, key=_CHANGES.__getitem__)
        ]
        batch: list[RawRecord] = []
        for raw in itertools.chain(records, changed):
            if raw.modified_at is not None and (since is None or raw.modified_at >= since):
                batch.append(raw)
            if len(batch) == page_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        i = int(remote_id[1:])
        data = order(i)
        at = BASE + timedelta(seconds=i)
        if remote_id in _CHANGES:
            data["notes"] = f"Changed in round {_CHANGES[remote_id]}"
            at = BASE + timedelta(seconds=self.count + _CHANGES[remote_id])
        return RawRecord(remote_id, at, data)


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


def source_docs(count: int, page_size: int) -> Iterator[list[RawRecord]]:
    return _Session(count, None).list_changes(Entity.PURCHASE_ORDERS, None, page_size=page_size)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_baseline(count: int, batch: int) -> dict[str, float]:
    """A plain Core upsert of the source's documents: what storing them costs without ironbridge."""
    from sqlalchemy import (
        Column,
        DateTime,
        Index,
        MetaData,
        String,
        Table,
        Text,
        UniqueConstraint,
        bindparam,
        select,
        update,
    )

    from ironbridge.store.engine import make_engine

    meta = MetaData()
    docs = Table(
        "docs",
        meta,
        Column("id", String(64), primary_key=True),
        Column("connection_id", String(40), nullable=False),
        Column("entity", String(32), nullable=False),
        Column("remote_id", String(255), nullable=False),
        Column("modified_at", DateTime(timezone=True), nullable=False),
        Column("doc", Text, nullable=False),
        Column("content_hash", String(64), nullable=False),
        UniqueConstraint("connection_id", "entity", "remote_id"),
        Index("ix_docs_page", "connection_id", "entity", "modified_at", "id"),
    )
    tmp = Path(tempfile.mkdtemp(prefix="ib-sync-baseline-", dir=_SCRATCH))
    engine = make_engine(f"sqlite:///{tmp / 'baseline.db'}")
    meta.create_all(engine)
    scope = (docs.c.connection_id == "conn_BENCH", docs.c.entity == "purchase_orders")
    rss = _maxrss_mb()
    began = time.perf_counter()
    stored = 0
    for page in source_docs(count, batch):
        rows = []
        for raw in page:
            text = json.dumps(raw.data, sort_keys=True, separators=(",", ":"), default=str)
            rows.append(
                {
                    # Keys like ironbridge's: a UUID v5 of the remote id, so the primary key
                    # index is written at random places as the records store's is.
                    "id": "po_" + uuid.uuid5(uuid.NAMESPACE_URL, raw.remote_id).hex,
                    "connection_id": "conn_BENCH",
                    "entity": "purchase_orders",
                    "remote_id": raw.remote_id,
                    "modified_at": raw.modified_at,
                    "doc": text,
                    "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                }
            )
        with engine.begin() as conn:
            known = dict(
                conn.execute(
                    select(docs.c.remote_id, docs.c.content_hash).where(
                        *scope, docs.c.remote_id.in_([r["remote_id"] for r in rows])
                    )
                ).all()
            )
            new = [r for r in rows if r["remote_id"] not in known]
            changed = [
                {"b_remote_id": r["remote_id"], **{k: r[k] for k in ("modified_at", "doc")}}
                | {"content_hash": r["content_hash"]}
                for r in rows
                if r["remote_id"] in known and known[r["remote_id"]] != r["content_hash"]
            ]
            if new:
                conn.execute(docs.insert(), new)
            if changed:
                conn.execute(
                    update(docs)
                    .where(*scope, docs.c.remote_id == bindparam("b_remote_id"))
                    .values(
                        modified_at=bindparam("modified_at"),
                        doc=bindparam("doc"),
                        content_hash=bindparam("content_hash"),
                    ),
                    changed,
                )
            stored += len(new) + len(changed)
    elapsed = time.perf_counter() - began
    assert stored == count, stored
    return {"per_s": count / elapsed, "peak_mb": _maxrss_mb() - rss}


def _bench_store(data_dir: Path, count: int, page_size: int) -> tuple[Any, str, str]:
    from ironbridge.accounts import create_account
    from ironbridge.bootstrap import bootstrap
    from ironbridge.connections import ConnectionCreate, connect
    from ironbridge.settings import Settings

    container = bootstrap(
        Settings(
            data_dir=data_dir, log_level="WARNING", queue_immediate=True, sync_page_size=page_size
        ),
        registry=ConnectorRegistry([Generated()]),
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
    return container, account.id, view.id


def _run(container: Any, account_id: str, connection_id: str, page_size: int, **queue: Any) -> Any:
    from ironbridge.sync import SyncContext, execute_run, queue_runs

    with container.uow() as uow:
        (run,) = queue_runs(
            uow, uow.connections.get(account_id, connection_id), container.registry, None, **queue
        )
    ctx = SyncContext(
        container.uow,
        container.registry,
        container.cipher,
        container.session_options,
        page_size=page_size,
    )
    return execute_run(ctx, connection_id, run.id)


def run_ironbridge(count: int, batch: int, events: bool) -> dict[str, float]:
    """The same documents through the real engine, in an empty store."""
    tmp = Path(tempfile.mkdtemp(prefix="ib-sync-bench-", dir=_SCRATCH))
    container, account_id, connection_id = _bench_store(tmp, count, batch)
    # A full run of another trigger announces each record; the initial load does not.
    queue = {"full": True, "trigger": "api"} if events else {"trigger": "initial"}
    rss = _maxrss_mb()
    began = time.perf_counter()
    outcome = _run(container, account_id, connection_id, batch, **queue)
    elapsed = time.perf_counter() - began
    assert outcome.status == "succeeded" and outcome.created == count, outcome
    return {"per_s": count / elapsed, "peak_mb": _maxrss_mb() - rss}


def run_incremental(size: int, base: int, rounds: int, changes: int) -> dict[str, float]:
    """Seconds per incremental run reading `changes` changed orders, in a store of `size`.

    `base` orders are synced through the engine; the rest of the store is their rows copied
    in SQL under other remote ids (the same connection and entity, so the same scope).
    """
    from sqlalchemy import func, literal_column, select, text

    from ironbridge.store.tables import record_counts, records

    tmp = Path(tempfile.mkdtemp(prefix="ib-sync-incr-", dir=_SCRATCH))
    container, account_id, connection_id = _bench_store(tmp, base, 1000)
    outcome = _run(container, account_id, connection_id, 1000, trigger="initial")
    assert outcome.created == base, outcome
    copies = size // base - 1
    began = time.perf_counter()
    if copies > 0:
        with container.uow.engine.begin() as conn:
            names = [c.name for c in records.columns]
            picked = [
                (records.c[n] + "-" + literal_column("k.n")).label(n)
                if n in {"id", "remote_id"}
                else records.c[n]
                for n in names
            ]
            conn.execute(
                text(
                    "CREATE TEMP TABLE k AS WITH RECURSIVE k(n) AS "
                    f"(SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {copies}) SELECT n FROM k"
                )
            )
            conn.execute(
                records.insert().from_select(
                    names, select(*picked).select_from(records.join(text("k"), text("1 = 1")))
                )
            )
            conn.execute(text("DROP TABLE k"))
            # The copies are live records too (the store's own count, as an upsert keeps it).
            conn.execute(
                record_counts.update()
                .where(record_counts.c.connection_id == connection_id)
                .values(live=record_counts.c.live * (copies + 1))
            )
        with container.uow.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            stored = conn.execute(select(func.count()).select_from(records)).scalar_one()
        assert stored == base * (copies + 1), stored
    built_s = time.perf_counter() - began
    timings = []
    for round_ in range(1, rounds + 1):
        for j in range(changes):
            _CHANGES[f"P{j * (base // changes):07d}"] = round_ * changes + j
        began = time.perf_counter()
        outcome = _run(container, account_id, connection_id, 1000, trigger="api")
        timings.append(time.perf_counter() - began)
        assert outcome.status == "succeeded" and outcome.updated == changes, outcome
    return {"median_s": statistics.median(timings), "built_s": built_s}


def _child(*args: Any) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=1000, help="records per page/transaction")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side (best is kept)")
    parser.add_argument("--events", action="store_true", help="also a full sync with events")
    parser.add_argument("--small", type=int, default=10_000, help="small store (incremental)")
    parser.add_argument("--large", type=int, default=1_000_000, help="large store (incremental)")
    parser.add_argument("--rounds", type=int, default=5, help="incremental runs per store")
    parser.add_argument("--changes", type=int, default=100, help="changed orders per run")
    parser.add_argument(
        "--quick", action="store_true", help="a short run: 5k/20k initial, 5k/50k incremental"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        global _SCRATCH
        kind, *rest = args.child
        values = [int(v) for v in rest]
        with tempfile.TemporaryDirectory(prefix="ib-sync-") as _SCRATCH:
            if kind == "baseline":
                result = run_baseline(values[0], values[1])
            elif kind == "sync":
                result = run_ironbridge(values[0], values[1], bool(values[2]))
            else:
                result = run_incremental(*values)
        print(json.dumps(result))
        return
    if args.quick:
        args.sizes, args.small, args.large, args.rounds = [5_000, 20_000], 5_000, 50_000, 3
        args.repeat = 1
    print(
        f"initial sync, {args.batch} per transaction, best of {args.repeat}"
        " (records/s; peak memory added)"
    )
    print(f"{'orders':>8} {'Core upsert':>14} {'ironbridge':>14} {'ratio':>6}", end="")
    print(f" {'+events':>14} {'ratio':>6}" if args.events else "")
    ratios: list[float] = []
    for size in args.sizes:
        # Alternated, best of `--repeat`: the machine's noise only ever slows a run down.
        runs = [
            (_child("baseline", size, args.batch), _child("sync", size, args.batch, 0))
            for _ in range(args.repeat)
        ]
        base = max((r[0] for r in runs), key=lambda r: r["per_s"])
        ours = max((r[1] for r in runs), key=lambda r: r["per_s"])
        ratios.append(ours["per_s"] / base["per_s"])
        line = (
            f"{size:>8} {base['per_s']:>7.0f} {base['peak_mb']:>4.0f} MB"
            f" {ours['per_s']:>7.0f} {ours['peak_mb']:>4.0f} MB {ratios[-1]:>5.2f}x"
        )
        if args.events:
            full = max(
                (_child("sync", size, args.batch, 1) for _ in range(args.repeat)),
                key=lambda r: r["per_s"],
            )
            line += f" {full['per_s']:>7.0f} {full['peak_mb']:>4.0f} MB"
            line += f" {full['per_s'] / base['per_s']:>5.2f}x"
        print(line)
    small = args.small
    print(f"incremental sync of {args.changes} changes (median of {args.rounds} runs)")
    timings = {}
    for size in (small, args.large):
        r = _child("incremental", size, small, args.rounds, args.changes)
        timings[size] = r["median_s"]
        print(
            f"{size:>9} records: {r['median_s'] * 1000:>8.1f} ms (store built in {r['built_s']:.0f} s)"
        )
    print(f"sync ratio (ironbridge / Core upsert): {min(ratios):.2f}x at worst")
    print(
        f"incremental ratio ({args.large:,} / {small:,} records): "
        f"{timings[args.large] / timings[small]:.2f}x"
    )


if __name__ == "__main__":
    main()
