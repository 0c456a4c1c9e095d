"""The smallest server that can answer the same list query: Starlette + sqlite3, no auth.

Run by bench/api_read.py as the baseline: `python bench/_baseline_server.py DB PORT CONN`.
"""

from __future__ import annotations

import sqlite3
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DB, PORT, CONNECTION = sys.argv[1], int(sys.argv[2]), sys.argv[3]
_local = sqlite3.connect(DB, check_same_thread=False)
_local.execute("PRAGMA journal_mode=WAL")


def purchase_orders(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "100"))
    rows = _local.execute(
        "SELECT unified FROM records WHERE connection_id = ? AND entity = 'purchase-orders' "
        "AND deleted = 0 ORDER BY modified_at, id LIMIT ?",
        (CONNECTION, limit + 1),
    ).fetchall()
    body = '{"data":[' + ",".join(r[0] for r in rows[:limit]) + '],"next_cursor":"x"}'
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/v1/purchase-orders", purchase_orders)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
