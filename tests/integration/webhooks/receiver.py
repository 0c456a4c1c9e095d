"""A webhook receiver process for tests: fails while a flag file exists (or answers a chosen
status), records every request it gets as a JSON line. `python receiver.py PORT DIR`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PORT, DIR = int(sys.argv[1]), Path(sys.argv[2])
LOG = DIR / "requests.jsonl"
FAIL = DIR / "fail"  # contents: the status to answer while it exists


async def hook(request: Request) -> Response:
    body = await request.body()
    status = int(FAIL.read_text() or "503") if FAIL.exists() else 200
    with LOG.open("a") as log:
        log.write(
            json.dumps(
                {
                    "at": time.time(),
                    "status": status,
                    "headers": {
                        k: v for k, v in request.headers.items() if k.startswith("webhook-")
                    },
                    "body": body.decode(),
                }
            )
            + "\n"
        )
    return Response("ok" if status == 200 else "down", status_code=status)


app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
