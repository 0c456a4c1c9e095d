"""The real Tryton server every connector test module shares, and a way to change it directly.

The server is started once per test session (see `tests/tools/tryton/server.py` for how), so
tests that write work on records they create, or on seeded records no other test reads for
exact values.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ...tools.tryton.server import TrytonRpc, TrytonServer, start_tryton, stop_tryton

__all__ = ["TrytonRpc", "TrytonServer"]


@pytest.fixture(scope="session")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    data = tmp_path_factory.mktemp("tryton")
    try:
        server = start_tryton(data)
    except RuntimeError as exc:
        # A missing server is a failure, not a skip: the connector would go untested.
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        stop_tryton(data)


@pytest.fixture(scope="session")
def tryton_admin(tryton: TrytonServer) -> Iterator[TrytonRpc]:
    """The seeded administrator, signed in directly (not through the connector)."""
    rpc = TrytonRpc(tryton.url, tryton.database, tryton.admin["username"], tryton.admin["password"])
    try:
        yield rpc
    finally:
        rpc.close()
