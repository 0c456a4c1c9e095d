"""Two processes that see the same failure at the same moment record one transition."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ironbridge.connections.status import change_status

from ...conftest import new_account
from .conftest import FlakySource, flaky_container, link_flaky


def test_concurrent_observers_of_one_outage_record_one_event(
    tmp_path: Path, flaky: FlakySource, postgres_url: str
) -> None:
    container = flaky_container(tmp_path, flaky, database_url=postgres_url)
    try:
        account = new_account(container)
        linked = link_flaky(container, account, tmp_path / "source.db", flaky)
        first_holds_the_row = threading.Event()
        moved: list[str | None] = []

        def observe(hold: float) -> None:
            with container.uow() as uow:
                moved.append(change_status(uow, linked.id, "offline", reason="unreachable"))
                if hold:
                    first_holds_the_row.set()
                    time.sleep(hold)  # the second observer reads "active" meanwhile
                uow.commit()

        first = threading.Thread(target=observe, args=(0.5,))
        first.start()
        first_holds_the_row.wait(5)
        second = threading.Thread(target=observe, args=(0,))
        second.start()
        first.join()
        second.join()
        assert sorted(moved, key=str) == [None, "active"], "one of them moved it"
        assert linked.transitions() == [("active", "offline")]
    finally:
        container.close()
