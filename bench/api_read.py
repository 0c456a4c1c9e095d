"""GET /v1/purchase-orders?limit=100 over a 100k-record store, beside a minimal Starlette baseline.

Both servers run as separate processes on 127.0.0.1, serve the same SQLite file, and are driven
by the same threaded keep-alive client in this process. Prints req/s, p50 and p99 for each and
the ratio. `python bench/api_read.py [--records N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _load import free_port, run_load, wait_http

from ironbridge.accounts import create_account
from ironbridge.bootstrap import bootstrap
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.model import Entity, record_id
from ironbridge.settings import Settings
from ironbridge.store.records import RecordRepository, RecordWrite
from ironbridge.unified import Projector


def fill_store(data_dir: Path, count: int) -> tuple[str, str]:
    container = bootstrap(Settings(data_dir=data_dir, log_level="WARNING", queue_immediate=True))
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
    container.close()
    return view.id, issued.token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ib-bench-"))
    began = time.monotonic()
    connection_id, token = fill_store(tmp, args.records)
    print(f"store: {args.records} purchase orders in {time.monotonic() - began:.1f} s")
    db = tmp / "ironbridge.db"
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(tmp),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
        "IRONBRIDGE_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    port_a, port_b = free_port(), free_port()
    product = subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "serve", "--no-worker", "--port", str(port_a)],
        env=env,
    )
    baseline = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).parent / "_baseline_server.py"),
            str(db),
            str(port_b),
            connection_id,
        ]
    )
    try:
        wait_http(f"http://127.0.0.1:{port_a}/healthz", proc=product)
        wait_http(f"http://127.0.0.1:{port_b}/v1/purchase-orders", proc=baseline)
        headers = {"Authorization": f"Bearer {token}"}
        url_a = f"http://127.0.0.1:{port_a}/v1/purchase-orders?limit=100"
        url_b = f"http://127.0.0.1:{port_b}/v1/purchase-orders?limit=100"
        sample = json.loads(__import__("httpx").get(url_a, headers=headers).content)
        size = len(json.dumps(sample["data"][0]))
        base = run_load(lambda c, n: c.get(url_b), threads=args.threads, seconds=args.seconds)
        ours = run_load(
            lambda c, n: c.get(url_a, headers=headers), threads=args.threads, seconds=args.seconds
        )
        print(
            f"page: 100 records of ~{size} bytes, {args.threads} threads, {args.seconds:.0f} s each"
        )
        print(base.line("baseline (Starlette + sqlite3)"))
        print(ours.line("ironbridge GET /v1/purchase-orders"))
        print(
            f"ratio ironbridge/baseline: {ours.rps / base.rps:.2f}x throughput, "
            f"{ours.pct(0.99) / base.pct(0.99):.2f}x p99"
        )
    finally:
        for proc in (product, baseline):
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
