"""Unified reads run in worker threads of their own (`READ_THREADS`): at most that many at once
in a process, and never queued behind the general pool's work (slow calls to sources)."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest

from ironbridge.api import create_app
from ironbridge.api.threads import read_limiter, run_read
from ironbridge.bootstrap import Container
from ironbridge.settings import SERVER_READ_THREADS, SQLITE_READ_THREADS, Settings

from ..conftest import ConnectionFixture


async def _until(condition: object, what: str) -> None:
    """Yield to the event loop until `condition()` holds; fail after 20 s."""
    assert callable(condition)
    with anyio.fail_after(20):
        while not condition():
            await anyio.sleep(0.005)


def test_reads_run_at_most_read_threads_at_once() -> None:
    release = threading.Event()
    lock = threading.Lock()
    inside = most = 0

    def read() -> str:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        release.wait(20)
        with lock:
            inside -= 1
        return "page"

    async def main() -> list[str]:
        pages: list[str] = []

        async def one() -> None:
            pages.append(await run_read(2, read))

        async with anyio.create_task_group() as tasks:
            for _ in range(5):
                tasks.start_soon(one)
            limiter = read_limiter(2)
            # Two reads inside, three waiting for a thread: the limit holds while they wait.
            await _until(lambda: inside == 2 and limiter.statistics().tasks_waiting == 3, "")
            assert limiter.borrowed_tokens == 2
            release.set()
        return pages

    assert anyio.run(main) == ["page"] * 5
    assert most == 2


def test_a_read_is_served_while_every_general_thread_is_busy(
    container: Container, sandbox: ConnectionFixture
) -> None:
    app = create_app(container)

    async def main() -> list[httpx.Response]:
        general = anyio.to_thread.current_default_thread_limiter()
        holders = [object() for _ in range(int(general.total_tokens))]
        for holder in holders:
            general.acquire_on_behalf_of_nowait(holder)
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                with anyio.fail_after(20):
                    first = await client.get("/v1/purchase-orders?limit=3", headers=sandbox.headers)
                    cursor = first.json()["next_cursor"]
                    second = await client.get(
                        f"/v1/purchase-orders?limit=3&cursor={cursor}", headers=sandbox.headers
                    )
                    return [first, second]
        finally:
            for holder in holders:
                general.release_on_behalf_of(holder)

    first, second = anyio.run(main)
    assert first.status_code == second.status_code == 200
    assert len(first.json()["data"]) == len(second.json()["data"]) == 3
    assert first.json()["data"] != second.json()["data"]


@pytest.mark.parametrize(
    ("database_url", "read_threads", "expected"),
    [
        (None, None, SQLITE_READ_THREADS),
        ("postgresql://ib@db.example/ib", None, SERVER_READ_THREADS),
        (None, 6, 6),
        ("postgresql://ib@db.example/ib", 3, 3),
    ],
)
def test_read_threads_default_by_database(
    tmp_path: Path, database_url: str | None, read_threads: int | None, expected: int
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url, read_threads=read_threads)
    assert settings.resolved_read_threads == expected


def test_read_threads_comes_from_the_environment_and_must_be_positive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRONBRIDGE_READ_THREADS", "4")
    assert Settings(data_dir=tmp_path).resolved_read_threads == 4
    monkeypatch.setenv("IRONBRIDGE_READ_THREADS", "0")
    with pytest.raises(ValueError, match="read_threads"):
        Settings(data_dir=tmp_path)
