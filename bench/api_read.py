"""GET /v1/purchase-orders?limit=100 over a 100k-record store, beside a minimal Starlette baseline.

Both servers run as separate processes on 127.0.0.1 and serve the same store (SQLite, or
PostgreSQL with `--postgres`); the baseline (`_baseline_server.py`) answers the same keyset pages
with no auth, rate limit, request id or metrics. Load comes from wrk (a C client the servers
cannot outrun: the baseline's own rate is printed) with random cursors drawn from every position
of the list, and from an open-loop client at a fixed rate for tail latency. Rows:

* random cursor pages, and the first page only (wrk -t2 -c32): req/s, p50, p99 and the ratio;
* one request at a time, page 1 against a page nine tenths deep: the cost of depth;
* open loop at `--rate` req/s on random cursor pages: achieved rate and p99.

`python bench/api_read.py [--records N] [--seconds S] [--postgres] [--redis URL]`; the last lines
are the ratios. `--redis` serves ironbridge as a deployment of many processes does, its rate limits
counted on Redis (the baseline has none to count).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import httpx
import psycopg
from _load import free_port, wait_http
from _openloop import open_loop
from _wrk import WrkResult, have_wrk, run_wrk
from sqlalchemy import select

from ironbridge.accounts import create_account
from ironbridge.bootstrap import bootstrap
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.model import Entity, record_id
from ironbridge.settings import Settings
from ironbridge.store import encode_keyset
from ironbridge.store.records import RecordRepository, RecordWrite
from ironbridge.store.tables import records
from ironbridge.unified import Projector

LIMIT = 100
PATH = f"/v1/purchase-orders?limit={LIMIT}"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fill_store(settings: Settings, count: int) -> tuple[str, str, list[str]]:
    """`count` purchase orders of one connection; its id, its token, and the cursor after
    every live record in list order."""
    container = bootstrap(settings)
    with container.uow() as uow:
        account = create_account(uow, "bench")
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(system="sandbox", end_customer_id="b", end_customer_name="Bench"),
            options=container.session_options,
        )
    connector = container.registry.get("sandbox")
    with connector.session({}) as session:
        samples = [r for page in session.list_changes(Entity.PURCHASE_ORDERS, None) for r in page]
    projector = Projector(connector, view.id, Entity.PURCHASE_ORDERS)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    # Projecting 100k copies would only time pydantic: project each sample once, then store
    # copies with their ids swapped in the stored text.
    templates = [projector.write(sample) for sample in samples]
    batch: list[RecordWrite] = []
    for i in range(count):
        template = templates[i % len(samples)]
        remote = f"{template.remote_id}-{i}"
        modified = base + timedelta(seconds=i // 3)
        new_id = record_id(view.id, Entity.PURCHASE_ORDERS, remote)
        write = RecordWrite(
            new_id,
            remote,
            modified,
            template.status,
            template.filters,
            template.unified.replace(template.id, new_id),
            template.raw,
            f"{i:064d}",
        )
        batch.append(write)
        if len(batch) == 1000:
            with container.uow() as uow:
                RecordRepository(uow.connection, view.id).upsert("purchase-orders", batch)
                uow.commit()
            batch = []
    if batch:
        with container.uow() as uow:
            RecordRepository(uow.connection, view.id).upsert("purchase-orders", batch)
            uow.commit()
    with container.uow(readonly=True) as uow:
        keys = uow.connection.execute(
            select(records.c.modified_at, records.c.id)
            .where(
                records.c.connection_id == view.id,
                records.c.entity == "purchase-orders",
                records.c.deleted.is_(False),
            )
            .order_by(records.c.modified_at, records.c.id)
        ).all()
    container.close()
    return view.id, issued.token, [encode_keyset(at, key) for at, key in keys]


@dataclass
class Servers:
    ours: str
    base: str
    headers: dict[str, str]


@contextmanager
def servers(
    settings: Settings, database: str, connection_id: str, token: str, redis: str | None = None
) -> Iterator[Servers]:
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(settings.data_dir),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
        # Counted on every request as in production, but never reached.
        "IRONBRIDGE_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    if settings.database_url:
        env["IRONBRIDGE_DATABASE_URL"] = settings.database_url
    if redis:
        env["IRONBRIDGE_REDIS_URL"] = redis
    port_a, port_b = free_port(), free_port()
    product = subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "serve", "--no-worker", "--port", str(port_a)],
        env=env,
    )
    baseline = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).parent / "_baseline_server.py"),
            database,
            str(port_b),
            connection_id,
            # As many requests at once as ironbridge serves reads (`READ_THREADS`).
            str(settings.resolved_read_threads),
        ]
    )
    try:
        ours, base = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        wait_http(f"{ours}/healthz", proc=product)
        wait_http(f"{base}/v1/purchase-orders", proc=baseline)
        yield Servers(ours, base, {"Authorization": f"Bearer {token}"})
    finally:
        for proc in (product, baseline):
            proc.terminate()
            proc.wait(timeout=20)


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"ib_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_same_pages(s: Servers, cursor: str) -> int:
    """Both servers give the same page for the same cursor; the size of one record."""
    url = f"{PATH}&{cursor}"
    ours = httpx.get(s.ours + url, headers=s.headers).json()
    base = httpx.get(s.base + url).json()
    assert ours == base, "the baseline must serve what ironbridge serves"
    assert len(ours["data"]) == LIMIT and ours["next_cursor"]
    return len(httpx.get(s.ours + url, headers=s.headers).content) // LIMIT


def ratio(label: str, base: WrkResult, ours: WrkResult) -> str:
    return (
        f"{label}: {ours.rps / base.rps:.2f}x the baseline's rate "
        f"({ours.rps:.0f} / {base.rps:.0f} req/s), p99 {ours.p99_ms:.1f} / {base.p99_ms:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per wrk run")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop req/s")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--redis", metavar="URL", help="count ironbridge's rate limits on Redis")
    args = parser.parse_args()
    if not have_wrk():
        sys.exit("wrk is the load generator: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="ib-bench-"))
    summary: list[str] = []
    with postgres_database() if args.postgres else nullcontext() as pg:
        settings = Settings(
            data_dir=tmp, log_level="WARNING", queue_immediate=True, database_url=pg
        )
        began = time.monotonic()
        connection_id, token, cursors = fill_store(settings, args.records)
        kind = ("PostgreSQL" if pg else "SQLite") + (" + Redis" if args.redis else "")
        print(f"store: {args.records} purchase orders ({kind}) in {time.monotonic() - began:.0f} s")
        queries = [f"cursor={cursor}" for cursor in cursors]
        cursor_file = tmp / "cursors.txt"
        cursor_file.write_text("\n".join(queries) + "\n")
        pages = -(-len(cursors) // LIMIT)
        deep_page = pages * 9 // 10
        # The cursor after the last record of the page before.
        deep = queries[(deep_page - 1) * LIMIT - 1]
        with servers(
            settings, pg or str(tmp / "ironbridge.db"), connection_id, token, args.redis
        ) as s:
            size = check_same_pages(s, deep)
            print(
                f"page: {LIMIT} records of ~{size} bytes; wrk -t2 -c32, {args.seconds:.0f} s a run"
            )
            # Each case alternates baseline and ironbridge, so a noisy neighbour hits both.
            for label, file in (("random cursor pages", cursor_file), ("first page", None)):
                base = run_wrk(s.base + PATH, seconds=args.seconds, cursors=file)
                ours = run_wrk(s.ours + PATH, seconds=args.seconds, cursors=file, headers=s.headers)
                print(base.line(f"baseline: {label}"))
                print(ours.line(f"ironbridge: {label}"))
                summary.append(ratio(label, base, ours))
            # One request at a time, page 1 and the deep page in turn, three times each: the
            # median p50 of each, so a burst from a neighbour does not decide the ratio.
            one = {"seconds": max(1.0, args.seconds / 3), "threads": 1, "connections": 1}
            depth = {}
            for side, url, headers in (
                ("baseline", s.base, None),
                ("ironbridge", s.ours, s.headers),
            ):
                firsts, fars = [], []
                for _ in range(3):
                    firsts.append(run_wrk(url + PATH, headers=headers, **one))  # type: ignore[arg-type]
                    fars.append(run_wrk(f"{url}{PATH}&{deep}", headers=headers, **one))  # type: ignore[arg-type]
                first = statistics.median(r.p50_ms for r in firsts)
                far = statistics.median(r.p50_ms for r in fars)
                print(f"{side + ': page 1, one at a time':<40} p50 {first:6.2f} ms (median of 3)")
                print(
                    f"{f'{side}: page {deep_page} of {pages}, one at a time':<40} "
                    f"p50 {far:6.2f} ms (median of 3)"
                )
                depth[side] = f"{far / first:.2f}x ({far:.2f} / {first:.2f} ms)"
            summary.append(
                f"page {deep_page} / page 1, p50 one at a time: ironbridge {depth['ironbridge']}, "
                f"baseline {depth['baseline']}"
            )
            random.seed(13)
            paths = [f"{PATH}&{query}" for query in queries]
            loops = {}
            for side, url, headers in (
                ("baseline", s.base, None),
                ("ironbridge", s.ours, s.headers),
            ):
                host, port = url.removeprefix("http://").split(":")
                loops[side] = result = open_loop(
                    host, int(port), paths, rate=args.rate, seconds=args.seconds, headers=headers
                )
                print(result.line(f"{side}: open loop, random cursor pages"))
            summary.append(
                f"open loop {args.rate:.0f} req/s: ironbridge p99 {loops['ironbridge'].pct(0.99):.1f} ms "
                f"at {loops['ironbridge'].achieved_rps:.0f} req/s achieved, baseline p99 "
                f"{loops['baseline'].pct(0.99):.1f} ms at {loops['baseline'].achieved_rps:.0f} req/s"
            )
    print(f"== ironbridge against the baseline, same run ({kind})")
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
