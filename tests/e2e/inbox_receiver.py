"""A receiver built on the receiver kit: verified webhooks go into a SQLite Inbox.
`python inbox_receiver.py PORT INBOX_DB SECRET`."""

from __future__ import annotations

import sys

import uvicorn

from ironbridge.receiver import Inbox, inbox_app

PORT, DB, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]

if __name__ == "__main__":
    uvicorn.run(
        # The test kills the server, not the receiver: crash safety is what it needs.
        inbox_app(Inbox(f"sqlite:///{DB}", survive_power_loss=False), SECRET, path="/webhooks"),
        host="127.0.0.1",
        port=PORT,
        log_level="warning",
    )
