"""Webhook delivery beside a bare httpx loop posting the same signed payloads to the same receiver.

Prints, in one run:
- the bare loop: one keep-alive client posting signed ~1 KB payloads back to back, with the share
  of a core the receiver used meanwhile (well below 100 %: the receiver is not what bounds it);
- ironbridge: a burst of N events (committed 100 to a transaction), counted as done when every
  delivery row is `succeeded` with its attempt row recorded;
- event-to-receipt latency for events emitted one at a time into an idle queue, from just before
  the event's commit to the receiver's receipt.

`python bench/webhooks.py [--events 2000] [--idle-events 30] [--workers 2] [--idle-max 2]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))

from _load import free_port, wait_http

from ironbridge.accounts import create_account
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.events import record_events
from ironbridge.logs import configure_logging
from ironbridge.settings import Settings
from ironbridge.store.tables import deliveries, delivery_attempts
from ironbridge.webhooks import EndpointIn, create_endpoint
from ironbridge.webhooks.signing import headers as signed

SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
PAYLOAD: dict[str, Any] = {
    "id": "",
    "type": "purchase_order.updated",
    "created_at": "2026-01-01T00:00:00Z",
    "connection_id": "conn_X",
    "sequence": 1,
    "data": {"id": "po_1", "notes": "x" * 800},
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class ReceiptLog:
    """The receiver's `event id, receive time` lines, read incrementally."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, float] = {}
        self._offset = 0

    def read(self) -> dict[str, float]:
        if self.path.exists():
            with self.path.open() as f:
                f.seek(self._offset)
                chunk = f.read()
            complete = chunk[: chunk.rfind("\n") + 1]
            self._offset += len(complete)
            for line in complete.splitlines():
                event_id, _, at = line.partition(",")
                self.seen[event_id] = float(at)
        return self.seen


def _body(event_id: str) -> bytes:
    return json.dumps({**PAYLOAD, "id": event_id}).encode()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Busy:
    """The share of one core a process used while the block ran (near 1.0: it is the bound)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.share = 0.0

    def __enter__(self) -> Busy:
        self._cpu, self._wall = cpu_seconds(self.pid), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        self.share = (cpu_seconds(self.pid) - self._cpu) / wall


def bare_loop(url: str, n: int) -> tuple[float, float, list[float]]:
    """Posts/s, CPU ms per post of this process, and each post's ms."""
    latencies: list[float] = []
    cpu = time.process_time()
    began = time.perf_counter()
    with httpx.Client() as client:
        for i in range(n):
            body = _body(f"base_{i}")
            t = time.perf_counter()
            client.post(url, content=body, headers=signed([SECRET], f"base_{i}", body))
            latencies.append((time.perf_counter() - t) * 1000)
    rate = n / (time.perf_counter() - began)
    return rate, (time.process_time() - cpu) * 1000 / n, latencies


def recorded(container: Container) -> tuple[int, int]:
    """How many deliveries succeeded, and how many attempt rows exist."""
    with container.uow(readonly=True) as uow:
        done = uow.connection.execute(
            select(func.count()).where(deliveries.c.status == "succeeded")
        ).scalar_one()
        attempts = uow.connection.execute(
            select(func.count()).select_from(delivery_attempts)
        ).scalar_one()
    return int(done), int(attempts)


def burst(
    container: Container, account_id: str, n: int, log: ReceiptLog
) -> tuple[float, float, int]:
    """Deliveries/s for `n` events until every delivery and attempt row is recorded, CPU ms per
    delivery of this process (emitting the events included), and attempt rows written."""
    before_done, before_attempts = recorded(container)
    received_before = len(log.read())
    cpu = time.process_time()
    began = time.perf_counter()
    for start in range(0, n, 100):
        with container.uow() as uow:
            record_events(
                uow, account_id, None, [("system.error", PAYLOAD["data"])] * min(100, n - start)
            )
            uow.commit()
    deadline = time.monotonic() + 300
    # The receipt log first (a cheap read), so counting rows does not compete with delivery.
    while len(log.read()) < received_before + n and time.monotonic() < deadline:
        time.sleep(0.01)
    done = attempts = 0
    while time.monotonic() < deadline:
        done, attempts = recorded(container)
        if done - before_done >= n and attempts - before_attempts >= n:
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - began
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    return (done - before_done) / seconds, cpu_ms, attempts - before_attempts


def idle_latency(
    container: Container, account_id: str, n: int, log: ReceiptLog, idle_max: float
) -> list[float]:
    """Event-to-receipt ms for events emitted one at a time into an idle queue."""
    latencies: list[float] = []
    rng = random.Random(7)
    for _ in range(n):
        # Idle gaps of varying length: a poller's back-off shows as a spread of latencies.
        time.sleep(rng.uniform(0.2, idle_max))
        with container.uow() as uow:
            (event,) = record_events(uow, account_id, None, [("system.error", PAYLOAD["data"])])
            committed = time.time()
            uow.commit()
        deadline = time.monotonic() + 30
        while event.id not in log.read() and time.monotonic() < deadline:
            time.sleep(0.001)
        if event.id in log.seen:
            latencies.append((log.seen[event.id] - committed) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--idle-events", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle-max", type=float, default=2.0, help="longest idle gap, seconds")
    args = parser.parse_args()
    configure_logging("WARNING")
    tmp = Path(tempfile.mkdtemp(prefix="ib-hook-bench-"))
    port = free_port()
    log_path = tmp / "received.csv"
    receiver = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "_hook_receiver.py"), str(port), str(log_path)]
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc=receiver)
        url = f"http://127.0.0.1:{port}/hook"
        with Busy(receiver.pid) as base_busy:
            base_rate, base_cpu, base_latencies = bare_loop(url, args.events)

        container = bootstrap(
            Settings(data_dir=tmp / "data", log_level="WARNING", allow_private_urls=True)
        )
        with container.uow() as uow:
            account = create_account(uow, "bench")
            create_endpoint(
                uow, container.cipher, account.id, EndpointIn(url=url), allow_private=True
            )
        container.worker.start_consumer(workers=args.workers)
        log = ReceiptLog(log_path)
        with Busy(receiver.pid) as burst_busy:
            rate, cpu, attempts = burst(container, account.id, args.events, log)
        idle = idle_latency(container, account.id, args.idle_events, log, args.idle_max)
        container.close()
        print(
            f"{args.events} signed ~1 KB events, receiver on 127.0.0.1, "
            f"{args.workers} delivery threads, SQLite"
        )
        print(
            f"{'bare httpx loop':<36} {base_rate:8.0f}/s   p50 {pct(base_latencies, 0.5):7.2f} ms"
            f"   p99 {pct(base_latencies, 0.99):7.2f} ms (per post);"
            f" {base_cpu:.2f} ms CPU per post; receiver busy {base_busy.share:.0%} of a core"
        )
        print(
            f"{'ironbridge burst, rows recorded':<36} {rate:8.0f}/s   "
            f"({attempts} attempt rows for {args.events} deliveries);"
            f" {cpu:.2f} ms CPU per delivery; receiver busy {burst_busy.share:.0%} of a core"
        )
        print(
            f"{'ironbridge idle queue, one at a time':<36} {len(idle):5d} events "
            f"after 0.2-{args.idle_max:g} s idle  "
            f"p50 {pct(idle, 0.5):7.2f} ms   p99 {pct(idle, 0.99):7.2f} ms (commit to receipt)"
        )
        print(
            f"ratio ironbridge/bare loop: {rate / base_rate:.2f}x; "
            f"idle event-to-receipt p50 {pct(idle, 0.5):.0f} ms"
        )
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
