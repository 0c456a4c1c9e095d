"""The delivery pump's senders: a full batch brings a second sender in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import ironbridge.webhooks.pump as pump_module
from ironbridge.bootstrap import bootstrap
from ironbridge.webhooks.delivery import DeliveryContext, make_http_client
from ironbridge.webhooks.pump import DeliveryPump

from ...conftest import make_settings


def test_a_full_batch_wakes_a_second_sender_while_the_first_is_still_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = bootstrap(make_settings(tmp_path))
    context = DeliveryContext(
        uow=container.uow, cipher=container.cipher, client=make_http_client(allow_private=True)
    )
    lock = threading.Lock()
    claims: list[int] = []
    sending = 0
    both_sending = threading.Event()
    release = threading.Event()

    def drain(
        ctx: DeliveryContext, limit: int, *, claimed: Callable[[int], None] | None = None
    ) -> tuple[int, datetime | None]:
        """Two full batches are due; each is held "sending" until the test releases it."""
        nonlocal sending
        with lock:
            claims.append(limit)
            if len(claims) > 2:
                return 0, None
            sending += 1
            if sending == 2:
                both_sending.set()
        assert claimed is not None
        claimed(limit)
        release.wait(30)
        with lock:
            sending -= 1
        return limit, None

    monkeypatch.setattr(pump_module, "drain", drain)
    pump = DeliveryPump(context, threads=2, batch=50)
    pump.start()
    try:
        pump.wake()  # one wake, as for one commit
        assert both_sending.wait(30), "the second batch waited for the first to be sent"
    finally:
        release.set()
        pump.stop()
        context.client.close()
        container.close()
