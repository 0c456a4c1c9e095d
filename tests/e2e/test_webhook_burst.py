"""SIGKILL the server during a burst of 10k events: after a restart every event reaches the
receiver at least once, and its Inbox processes each exactly once, in per-record order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ironbridge.model import Entity
from ironbridge.receiver import Inbox
from ironbridge.testing.source import SourceDB, purchase_order

from ..waiting import wait_for
from .conftest import free_port

RECORDS = 5000  # created, then updated: 10k record events


class Server:
    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "IRONBRIDGE_DATA_DIR": str(data),
            "IRONBRIDGE_PORT": str(self.port),
            "IRONBRIDGE_LOG_LEVEL": "WARNING",
            "IRONBRIDGE_ALLOW_PRIVATE_URLS": "true",
            "IRONBRIDGE_CONNECTORS": "ironbridge.testing.source:connector",
            "IRONBRIDGE_RATE_LIMIT_PER_MINUTE": "100000",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "ironbridge", "serve"], env=self.env)
        wait_for(lambda: self._up(), timeout=60)

    def _up(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def processes() -> Iterator[list[Any]]:
    started: list[Any] = []
    yield started
    for item in started:
        if isinstance(item, Server):
            item.stop()
        elif item.poll() is None:
            item.terminate()
            item.wait(timeout=10)


def test_a_killed_server_delivers_every_event_and_the_inbox_applies_each_once_in_order(
    tmp_path: Path, processes: list[Any]
) -> None:
    data = tmp_path / "server"
    server = Server(data)
    account = json.loads(
        subprocess.run(
            [sys.executable, "-m", "ironbridge", "accounts", "create", "Burst", "--json"],
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    admin = {"Authorization": f"Bearer {account['admin_key']}"}
    server.start()
    processes.append(server)
    source = SourceDB(str(tmp_path / "source.db"))
    receiver_port = free_port()
    endpoint = httpx.post(
        f"{server.base}/v1/webhook-endpoints",
        json={
            "url": f"http://127.0.0.1:{receiver_port}/webhooks",
            "event_types": ["purchase_order.created", "purchase_order.updated"],
        },
        headers=admin,
    ).json()
    inbox_db = tmp_path / "inbox.db"
    receiver = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).parent / "inbox_receiver.py"),
            str(receiver_port),
            str(inbox_db),
            endpoint["secret"],
        ]
    )
    processes.append(receiver)
    connection = httpx.post(
        f"{server.base}/v1/connections",
        json={
            "system": "testsource",
            "end_customer_id": "burst",
            "end_customer_name": "Burst",
            "credentials": {"path": str(tmp_path / "source.db")},
            "settings": {"entities": ["purchase-orders"], "history_days": None},
        },
        headers=admin,
    ).json()
    token = {"Authorization": f"Bearer {connection['token']}"}
    wait_for(
        lambda: httpx.get(f"{server.base}/v1/sync", headers=token).json()["data"][0]["ready"],
        timeout=180,
    )
    source.put_many(
        Entity.PURCHASE_ORDERS, [(f"P{i:05d}", purchase_order(i), None) for i in range(RECORDS)]
    )
    httpx.post(f"{server.base}/v1/sync", json={"entities": "all"}, headers=token)
    wait_for(
        lambda: (
            httpx.get(f"{server.base}/v1/sync", headers=token).json()["data"][0]["records"]
            == RECORDS
        ),
        timeout=180,
    )
    source.put_many(
        Entity.PURCHASE_ORDERS,
        [(f"P{i:05d}", purchase_order(i, status="received"), None) for i in range(RECORDS)],
    )
    httpx.post(f"{server.base}/v1/sync", json={"entities": "all"}, headers=token)
    inbox = Inbox(f"sqlite:///{inbox_db}")
    wait_for(lambda: sum(inbox.counts().values()) >= 1500, timeout=180)
    server.kill()
    at_kill = sum(inbox.counts().values())
    assert at_kill < 2 * RECORDS, "the kill landed mid-burst"
    server.start()
    wait_for(lambda: sum(inbox.counts().values()) >= 2 * RECORDS, timeout=240)

    applied: dict[str, list[int]] = defaultdict(list)
    processed_ids: list[str] = []

    def apply(event: dict[str, Any]) -> None:
        applied[event["data"]["remote_id"]].append(event["sequence"])
        processed_ids.append(event["id"])

    handlers = {"purchase_order.created": apply, "purchase_order.updated": apply}
    while inbox.process_pending(handlers):
        pass
    counts = inbox.counts()
    assert counts.get("pending", 0) == 0 and counts.get("dead", 0) == 0
    assert len(processed_ids) == len(set(processed_ids)), "each event processed at most once"
    assert len(applied) == RECORDS
    for sequences in applied.values():
        assert sequences == sorted(sequences), "per-record order"
    assert counts.get("processed", 0) + counts.get("skipped", 0) == 2 * RECORDS
