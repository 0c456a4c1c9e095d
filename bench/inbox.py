"""Receiver inbox: durable accepts per second on SQLite (WAL, fsync per commit).

Prints three figures from one process: bare `sqlite3` inserts of the same bodies with the same
durability (WAL, synchronous=FULL, one commit per webhook) as the baseline, the inbox storing
already-verified events (`Inbox.accept_event`), and the whole receive path with signature
verification (`Inbox.accept`), each with its ratio to the baseline.

The three take turns in blocks of 50 webhooks, each into its own database: an fsync costs from
0.2 to 5 ms depending on what else the machine's disk is doing, and taking turns exposes all
three to the same conditions.

    python bench/inbox.py [--count 1000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ironbridge.receiver import Inbox
from ironbridge.webhooks.signing import generate_secret, headers

SECRET = generate_secret()
BLOCK = 50


def payloads(count: int) -> list[tuple[str, bytes]]:
    """`count` purchase_order.updated bodies of about 900 bytes, as ironbridge sends them."""
    bodies = []
    for number in range(count):
        event_id = f"evt_{number:08d}"
        event = {
            "id": event_id,
            "type": "purchase_order.updated",
            "created_at": "2024-05-01T10:00:00Z",
            "connection_id": f"conn_{number % 4}",
            "sequence": number,
            "data": {
                "id": f"po_{number % 500:05d}",
                "number": f"PO-{number:06d}",
                "status": "approved",
                "currency": "EUR",
                "total": "1234.50",
                "updated_at": "2024-05-01T09:59:58Z",
                "lines": [
                    {"line_number": line, "description": "Bearing 6204-2RS", "quantity": "4"}
                    for line in range(8)
                ],
            },
        }
        bodies.append((event_id, json.dumps(event).encode()))
    return bodies


def bare_sqlite(folder: Path, stack: ExitStack) -> Callable[[str, bytes, dict[str, str]], object]:
    """Plain sqlite3: one INSERT and one durable COMMIT per webhook."""
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    stack.callback(db.close)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE events (id TEXT PRIMARY KEY, body TEXT NOT NULL)")

    def insert(event_id: str, body: bytes, _headers: dict[str, str]) -> None:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO events (id, body) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (event_id, body.decode()),
        )
        db.execute("COMMIT")

    return insert


def inbox_accept_event(
    folder: Path, parsed: dict[str, dict[str, object]], stack: ExitStack
) -> Callable[[str, bytes, dict[str, str]], object]:
    """`Inbox.accept_event` of events already verified and parsed (parsing is not timed)."""
    inbox = stack.enter_context(Inbox(f"sqlite:///{folder / 'store.db'}"))
    return lambda event_id, body, _headers: inbox.accept_event(
        parsed[event_id], raw=body, source="webhook"
    )


def inbox_accept(folder: Path, stack: ExitStack) -> Callable[[str, bytes, dict[str, str]], object]:
    """`Inbox.accept`: verify the signature, parse, then store."""
    inbox = stack.enter_context(Inbox(f"sqlite:///{folder / 'verify.db'}", secrets=SECRET))
    return lambda _event_id, body, request_headers: inbox.accept(body, request_headers)


def main() -> None:
    parser = argparse.ArgumentParser(description="Receiver inbox accepts per second.")
    parser.add_argument("--count", type=int, default=1000, help="webhooks per variant")
    args = parser.parse_args()
    items = payloads(args.count)
    signed = [(event_id, body, headers(SECRET, event_id, body)) for event_id, body in items]
    size = sum(len(body) for _, body in items) / len(items)
    print(f"{args.count} webhooks of {size:.0f} bytes each, SQLite WAL, synchronous=FULL")

    parsed = {event_id: json.loads(body) for event_id, body in items}
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        variants = {
            "bare sqlite3 insert + commit (baseline)": bare_sqlite(Path(folder), stack),
            "Inbox.accept_event (store)": inbox_accept_event(Path(folder), parsed, stack),
            "Inbox.accept (verify + store)": inbox_accept(Path(folder), stack),
        }
        elapsed = dict.fromkeys(variants, 0.0)
        for start in range(0, len(signed), BLOCK):
            block = signed[start : start + BLOCK]
            for label, accept in variants.items():
                began = time.perf_counter()
                for event_id, body, request_headers in block:
                    accept(event_id, body, request_headers)
                elapsed[label] += time.perf_counter() - began

    baseline = elapsed["bare sqlite3 insert + commit (baseline)"]
    for label, seconds in elapsed.items():
        print(
            f"  {label:<40} {args.count / seconds:>8,.0f}/s  "
            f"{seconds / args.count * 1e3:6.3f} ms each  {baseline / seconds:5.2f}x baseline"
        )


if __name__ == "__main__":
    main()
