"""A local webhook receiver for benchmarks: answers 200 and logs `event id, receive time`.
`python bench/_hook_receiver.py PORT LOGFILE`."""

from __future__ import annotations

import json
import sys
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PORT, LOG = int(sys.argv[1]), sys.argv[2]
_out = open(LOG, "a", buffering=1)  # noqa: SIM115 - open for the process's life


async def hook(request: Request) -> Response:
    body = await request.body()
    _out.write(f"{json.loads(body)['id']},{time.time()}\n")
    return Response("ok")


app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
