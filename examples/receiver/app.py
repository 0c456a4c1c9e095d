"""An example service that receives ironbridge webhooks with the receiver kit.

It keeps a local copy of purchase orders: every `purchase_order.*` event is stored in the inbox
as soon as it arrives, and a worker thread applies it to a `purchase_orders` table, in order,
skipping updates that arrive after newer ones. With `--ironbridge-url` and `--admin-key` it also
polls the events API whenever webhooks stop arriving.

    python examples/receiver/app.py --port 9000 --secret whsec_...

Then register `http://<this host>:9000/webhooks` as a webhook endpoint in ironbridge.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from ironbridge.receiver import Handler, Inbox, Poller, inbox_app

logger = logging.getLogger("receiver-example")


class PurchaseOrders:
    """This service's own data: a table of purchase orders mirrored from ironbridge."""

    def __init__(self, path: Path) -> None:
        # One connection shared by the worker thread; the inbox runs one handler at a time.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS purchase_orders ("
            " id TEXT PRIMARY KEY, connection_id TEXT, number TEXT, status TEXT,"
            " total TEXT, currency TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0)"
        )

    def apply(self, event: dict[str, Any]) -> None:
        """Store the order as the event describes it; replaying the same event changes nothing."""
        order = event["data"]
        self._db.execute(
            "INSERT INTO purchase_orders"
            " (id, connection_id, number, status, total, currency, updated_at, deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET number = excluded.number, status = excluded.status,"
            " total = excluded.total, currency = excluded.currency,"
            " updated_at = excluded.updated_at, deleted = excluded.deleted",
            (
                order["id"],
                event["connection_id"],
                order.get("number"),
                order.get("status"),
                order.get("total"),
                order.get("currency"),
                order.get("updated_at"),
                int(event["type"].endswith(".deleted") or bool(order.get("deleted"))),
            ),
        )
        print(f"{event['type']}: {order['id']} {order.get('number')} is {order.get('status')}")

    def count(self) -> int:
        """How many purchase orders are mirrored."""
        return int(self._db.execute("SELECT count(*) FROM purchase_orders").fetchone()[0])


def build_handlers(orders: PurchaseOrders) -> dict[str, Handler]:
    """What to do per event type; types without a handler are recorded as `ignored`."""

    def report(event: dict[str, Any]) -> None:
        print(f"{event['type']} on {event['connection_id']}: {event['data']}")

    return {
        "purchase_order.created": orders.apply,
        "purchase_order.updated": orders.apply,
        "purchase_order.deleted": orders.apply,
        "connection.auth_required": report,
        "connection.disconnected": report,
        "sync.failed": report,
        "webhook.test": lambda event: print(f"test webhook {event['id']} received"),
    }


def create_app(
    inbox: Inbox,
    secrets: list[str],
    handlers: dict[str, Handler],
    poller: Poller | None = None,
) -> Starlette:
    """`POST /webhooks` into the inbox, `GET /health`, and the worker threads for the app's life."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        threads = [threading.Thread(target=inbox.run, args=(handlers,), name="inbox-worker")]
        if poller is not None:
            threads.append(threading.Thread(target=poller.run, name="events-poller"))
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            inbox.stop()
            if poller is not None:
                poller.stop()
            for thread in threads:
                thread.join(timeout=10)

    async def health(_request: Request) -> JSONResponse:
        counts = inbox.counts()
        return JSONResponse({"inbox": {status.value: count for status, count in counts.items()}})

    return Starlette(
        routes=[Route("/health", health), Mount("/", inbox_app(inbox, secrets))],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Receive ironbridge webhooks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument(
        "--secret",
        action="append",
        default=[value for value in [os.environ.get("RECEIVER_SECRET")] if value],
        help="the endpoint's whsec_ secret; give it twice (old and new) during a rotation",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path("receiver-data"), help="where the databases live"
    )
    parser.add_argument("--inbox-url", help="inbox database URL (default: SQLite in --data-dir)")
    parser.add_argument("--ironbridge-url", help="ironbridge's base URL, to poll missed events")
    parser.add_argument("--admin-key", default=os.environ.get("IRONBRIDGE_ADMIN_KEY"))
    parser.add_argument(
        "--expected-every",
        type=float,
        default=300.0,
        help="seconds without webhooks after which the events API is polled",
    )
    args = parser.parse_args()
    if not args.secret:
        parser.error("give the webhook secret with --secret or RECEIVER_SECRET")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    args.data_dir.mkdir(parents=True, exist_ok=True)
    inbox = Inbox(args.inbox_url or f"sqlite:///{args.data_dir / 'inbox.db'}")
    orders = PurchaseOrders(args.data_dir / "orders.db")
    poller = None
    if args.ironbridge_url and args.admin_key:
        poller = Poller(
            args.ironbridge_url, args.admin_key, inbox, expected_every=args.expected_every
        )
    app = create_app(inbox, args.secret, build_handlers(orders), poller)
    print(f"receiving webhooks on http://{args.host}:{args.port}/webhooks")
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        if poller is not None:
            poller.close()
        inbox.close()


if __name__ == "__main__":
    main()
