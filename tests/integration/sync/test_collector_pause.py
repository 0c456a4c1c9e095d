"""A sync reads and writes each page with the cyclic garbage collector paused, and leaves it on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from ironbridge.connectors import RawRecord
from ironbridge.model import Entity
from ironbridge.testing import source

from .conftest import SourceConnection


def test_pages_are_read_with_the_collector_paused_and_it_is_on_after(
    source_connection: SourceConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = source._Session.list_changes
    while_reading: list[bool] = []

    def watched(
        self: Any, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        for page in read(self, entity, since, page_size=page_size):
            while_reading.append(gc.isenabled())
            yield page

    monkeypatch.setattr(source._Session, "list_changes", watched)
    assert gc.isenabled()
    assert len(source_connection.sync(trigger="initial")) == 1
    # 300 orders in pages of 100: every page came while the collector was off.
    assert while_reading == [False, False, False]
    assert gc.isenabled()
