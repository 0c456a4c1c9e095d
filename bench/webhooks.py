"""Webhook delivery: deliveries/s and event-to-delivery latency to a local receiver, beside a
bare httpx loop posting the same signed payloads to the same receiver.
`python bench/webhooks.py [--events 2000]`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _load import free_port, wait_http

from ironbridge.accounts import create_account
from ironbridge.bootstrap import bootstrap
from ironbridge.events import record_events
from ironbridge.logs import configure_logging
from ironbridge.settings import Settings
from ironbridge.webhooks import EndpointIn, create_endpoint
from ironbridge.webhooks.signing import headers as signed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def read_log(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    return {
        line.split(",")[0]: float(line.split(",")[1])
        for line in path.read_text().splitlines()
        if "," in line
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    configure_logging("WARNING")
    tmp = Path(tempfile.mkdtemp(prefix="ib-hook-bench-"))
    port = free_port()
    log = tmp / "received.csv"
    receiver = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "_hook_receiver.py"), str(port), str(log)]
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc=receiver)
        url = f"http://127.0.0.1:{port}/hook"
        payload = {
            "id": "",
            "type": "purchase_order.updated",
            "created_at": "2026-01-01T00:00:00Z",
            "connection_id": "conn_X",
            "sequence": 1,
            "data": {"id": "po_1", "notes": "x" * 800},
        }

        # Baseline: one keep-alive client posting signed payloads back to back.
        secret = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        latencies: list[float] = []
        began = time.perf_counter()
        with httpx.Client() as client:
            for i in range(args.events):
                body = json.dumps({**payload, "id": f"base_{i}"}).encode()
                t = time.perf_counter()
                client.post(url, content=body, headers=signed([secret], f"base_{i}", body))
                latencies.append((time.perf_counter() - t) * 1000)
        base_rate = args.events / (time.perf_counter() - began)

        container = bootstrap(
            Settings(data_dir=tmp / "data", log_level="WARNING", allow_private_urls=True)
        )
        with container.uow() as uow:
            account = create_account(uow, "bench")
            create_endpoint(
                uow, container.cipher, account.id, EndpointIn(url=url), allow_private=True
            )
        container.worker.start_consumer(workers=args.workers)
        created: dict[str, float] = {}
        began_wall = time.time()
        for start in range(0, args.events, 100):
            with container.uow() as uow:
                rows = record_events(
                    uow,
                    account.id,
                    None,
                    [("system.error", payload["data"])] * min(100, args.events - start),
                )
                uow.commit()
            now = time.time()
            created.update({row.id: now for row in rows})
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(set(read_log(log)) & set(created)) < len(created):
            time.sleep(0.2)
        received = read_log(log)
        ours = [(received[i] - created[i]) * 1000 for i in created if i in received]
        rate = len(ours) / (max(received[i] for i in created if i in received) - began_wall)
        container.close()
        print(
            f"{args.events} signed ~1 KB events, receiver on 127.0.0.1, {args.workers} delivery threads"
        )
        print(
            f"{'bare httpx loop':<34} {base_rate:8.0f}/s   p50 {pct(latencies, 0.5):7.2f} ms   p99 {pct(latencies, 0.99):7.2f} ms (per post)"
        )
        print(
            f"{'ironbridge deliveries':<34} {rate:8.0f}/s   p50 {pct(ours, 0.5):7.2f} ms   p99 {pct(ours, 0.99):7.2f} ms (event to receipt)"
        )
        print(
            f"ratio ironbridge/baseline: {rate / base_rate:.2f}x throughput; delivered {len(ours)}/{args.events}"
        )
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
