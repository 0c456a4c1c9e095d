"""What the connector tests share: a fresh container for the sync tests, each emulator served
for the test that asks for it, and the real Tryton server with a database of its own per test
module and a way to change that database directly.

A module that needs another container or emulator (other page sizes, a breaker, faults) defines
its own fixture of the same name, which wins over these.

One trytond is started per test session (see `tests/tools/tryton/server.py` for how; about two
seconds once the seeded template is built), and `SPARE_DATABASES` copies of the seeded template
are put beside its own database right away (trytond learns its list of databases once). Each
test module that asks for `tryton` gets one of them as a database of its own (loaded in about a
second), so what one module writes no other module sees; tests in a module share it. Tests
drive the connector over HTTP only, as they would any customer's Tryton.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.testing.emulators import business_central as bc_emulator
from ironbridge.testing.emulators import maximo as maximo_emulator
from ironbridge.testing.emulators import netsuite as netsuite_emulator
from ironbridge.testing.emulators import odoo as odoo_emulator
from ironbridge.testing.emulators import sap_s4hana as sap_emulator

from ...conftest import make_settings
from ...tools.tryton.server import (
    TrytonRpc,
    TrytonServer,
    add_databases,
    open_database,
    start_tryton,
    stop_tryton,
)

__all__ = ["TrytonRpc", "TrytonServer"]

#: Databases copied at the start, one per test module using Tryton; raise it when modules are
#: added (each copy is 5 MB and a few milliseconds).
SPARE_DATABASES = 8

_unused: list[str] = []


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    """A fresh container: SQLite store, inline queue."""
    # Loopback sources need private addresses; pages of 100 make every sync several pages.
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True, sync_page_size=100))
    yield built
    built.close()


@pytest.fixture
def sap() -> Iterator[sap_emulator.RunningEmulator]:
    with sap_emulator.running_emulator() as running:
        yield running


@pytest.fixture
def bc() -> Iterator[bc_emulator.RunningEmulator]:
    with bc_emulator.running_emulator() as running:
        yield running


@pytest.fixture
def netsuite() -> Iterator[netsuite_emulator.RunningEmulator]:
    with netsuite_emulator.running_emulator() as running:
        yield running


@pytest.fixture
def maximo() -> Iterator[maximo_emulator.RunningEmulator]:
    with maximo_emulator.running_emulator() as running:
        yield running


@pytest.fixture(params=[18, 19], ids=["odoo18", "odoo19"])
def odoo(request: pytest.FixtureRequest) -> Iterator[odoo_emulator.RunningEmulator]:
    with odoo_emulator.running_emulator(version=request.param) as running:
        yield running


@pytest.fixture(scope="session")
def tryton_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    """The session's trytond; its own database (`erp`) is left as seeded."""
    data = tmp_path_factory.mktemp("tryton")
    try:
        server = start_tryton(data)
        names = [f"module_{number:02}" for number in range(1, SPARE_DATABASES + 1)]
        add_databases(server, names)
        _unused[:] = names
    except (OSError, RuntimeError) as exc:
        # A missing server is a failure, not a skip: the connector would go untested.
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        stop_tryton(data)


@pytest.fixture(scope="module")
def tryton(tryton_server: TrytonServer, request: pytest.FixtureRequest) -> TrytonServer:
    """A database of this test module's own, copied from the seeded template."""
    if not _unused:
        pytest.fail(f"more than {SPARE_DATABASES} test modules use Tryton; raise SPARE_DATABASES")
    try:
        return open_database(tryton_server, _unused.pop(0))
    except (httpx.HTTPError, RuntimeError) as exc:
        pytest.fail(f"{request.module.__name__}: Tryton did not open its database: {exc}")


@pytest.fixture(scope="module")
def tryton_admin(tryton: TrytonServer) -> Iterator[TrytonRpc]:
    """The seeded administrator of the module's database, signed in directly (not through the
    connector)."""
    rpc = TrytonRpc(tryton.url, tryton.database, tryton.admin["username"], tryton.admin["password"])
    try:
        yield rpc
    finally:
        rpc.close()
