"""Initial sync rate of the Tryton, SAP S/4HANA, NetSuite, Business Central, Maximo and Odoo
connectors beside their raw rate.

For each source it times two passes over every purchase order (Maximo: every work order, its
core record):

- raw: `session.list_changes(purchase-orders)` alone, the connector paging through the source
  (HTTP, JSON decoding, the connector's own extra reads such as Tryton's computed amounts);
- sync: an initial sync of the same orders through the engine (`Worker.start_sync` with an
  inline queue): the same pages, mapped, validated, hashed and stored in SQLite, one commit
  per page;

and prints records/s for both and their ratio (sync / raw): how much of the source's pace the
engine keeps; a ratio near 1 means the source, not the engine, sets the pace.

One raw pass warms the source first (uncounted), then `--rounds` rounds each time a raw pass
and a sync pass (into a fresh store) back to back, so both meet the same warm source. The rates
printed are each side's best round, the least disturbed by other work on the machine, and the
ratio is best sync over best raw: the same statistic for both sides, so the baseline is as
fast as the source was seen to go. Beside it the median of the rounds' own ratios and their
range show how much the machine's load moved them.

Each emulator runs in a process of its own (`--in-process`: a thread of this one), as a
remote source would: the engine reads the next page while it writes the last one, so with the
source elsewhere a sync can keep the source's pace. Each pass also counts CPU seconds, this
process's and the emulator's together, and `cpu` is the median over the rounds of raw CPU
over sync CPU: the engine's share of the work, which other programs on a shared machine
barely move, whereas they move wall times by half. trytond's CPU is not counted.

Sources, started by the script and stopped at its end:

- Tryton: a real trytond seeded with 2,000 extra draft purchases of three lines
  (`tests/tools/tryton/start-tryton.sh` with `TRYTON_BULK`). The first run adds them to the
  test suite's cached database (about 30 s; a full build when the tests never ran here, about
  100 s more) and caches the result in /tmp; later runs copy it (about 2 s);
- SAP S/4HANA: the emulator with 20,000 purchase orders (server pages of 100, as SAP Gateway).
- NetSuite: the emulator with 5,000 purchase orders (SuiteQL keyset pages, token-based sign-in).
- Business Central: the emulator with 5,000 purchase orders and their lines.
- Maximo: the emulator with 5,000 work orders with their tasks (keyset pages by `changedate`
  and `workorderid`, API key sign-in).
- Odoo: the emulator as 18.0 (`/jsonrpc`) and as 19.0 (JSON-2), 5,000 purchase orders each,
  written in bursts within one second (keyset pages by whole-second buckets).

`python bench/connectors.py [--only tryton|sap|netsuite|bc|maximo|odoo] [--rounds 3]
[--tryton-bulk 2000] [--sap-orders 20000] [--netsuite-orders 5000] [--bc-orders 5000]
[--maximo-orders 5000] [--odoo-orders 5000] [--in-process]`
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.tools.tryton, the project's Tryton tooling

from tests.tools.tryton.server import start_tryton, stop_tryton  # noqa: E402

from ironbridge.bootstrap import Container, bootstrap  # noqa: E402
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect  # noqa: E402
from ironbridge.connectors import Connector, SessionOptions  # noqa: E402
from ironbridge.connectors.business_central import connector as bc_connector  # noqa: E402
from ironbridge.connectors.maximo import connector as maximo_connector  # noqa: E402
from ironbridge.connectors.netsuite import connector as netsuite_connector  # noqa: E402
from ironbridge.connectors.odoo import connector as odoo_connector  # noqa: E402
from ironbridge.connectors.sap_s4hana import connector as sap_connector  # noqa: E402
from ironbridge.connectors.tryton import connector as tryton_connector  # noqa: E402
from ironbridge.logs import configure_logging  # noqa: E402
from ironbridge.model import Entity  # noqa: E402
from ironbridge.settings import Settings  # noqa: E402
from ironbridge.store.sync import SyncRepository  # noqa: E402
from ironbridge.testing.emulators import business_central as bc_emulator  # noqa: E402
from ironbridge.testing.emulators import maximo, netsuite, odoo  # noqa: E402
from ironbridge.testing.emulators.sap import SapS4HanaEmulator, running_emulator  # noqa: E402

ORDERS = Entity.PURCHASE_ORDERS
#: The engine's default page size, used for both passes so they fetch the same pages.
PAGE_SIZE = 500
OPTIONS = SessionOptions(allow_private_urls=True, timeout=120.0)


#: Rounds of (raw, sync) passes per system by default; the best of each side is printed.
ROUNDS = 3


@dataclass
class Result:
    system: str
    records: int
    #: Seconds of each round's raw and sync pass, in round order.
    raw_seconds: list[float]
    sync_seconds: list[float]
    #: CPU seconds of the same passes, this process's and the emulator's together; None for a
    #: source whose CPU is not counted (trytond).
    raw_cpu: list[float] | None = None
    sync_cpu: list[float] | None = None
    what: str = "POs"

    @property
    def raw_rate(self) -> float:
        return self.records / min(self.raw_seconds)

    @property
    def sync_rate(self) -> float:
        return self.records / min(self.sync_seconds)

    @property
    def ratios(self) -> list[float]:
        """Each round's sync rate over its own raw rate."""
        return [raw / sync for raw, sync in zip(self.raw_seconds, self.sync_seconds, strict=True)]

    def line(self) -> str:
        ratios = self.ratios
        cpu = ""
        if self.raw_cpu is not None and self.sync_cpu is not None:
            shares = [raw / sync for raw, sync in zip(self.raw_cpu, self.sync_cpu, strict=True)]
            cpu = f"   cpu {statistics.median(shares):.2f}"
        return (
            f"{self.system:<12} {self.records:>7,} {self.what:<3}   "
            f"raw {self.raw_rate:>8,.0f} rec/s   sync {self.sync_rate:>8,.0f} rec/s   "
            f"ratio {self.sync_rate / self.raw_rate:.2f}{cpu}   (rounds: median "
            f"{statistics.median(ratios):.2f}, {min(ratios):.2f}-{max(ratios):.2f}, "
            f"{len(ratios)} rounds)"
        )


@dataclass
class Source:
    """A serving source: the connector's credentials and the source's CPU seconds so far."""

    credentials: dict[str, str]
    cpu: Callable[[], float]


@dataclass
class Pass:
    """One timed pass: records, wall seconds and the process's CPU seconds."""

    records: int
    seconds: float
    cpu: float


def _no_source_cpu() -> float:
    return 0.0


@contextmanager
def timed(source_cpu: Callable[[], float] = _no_source_cpu) -> Iterator[list[float]]:
    """Wall and CPU seconds of the block (this process's and the source's), appended to the
    list it yields when it ends."""
    spent: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time() + source_cpu()
    yield spent
    spent.extend((time.perf_counter() - wall, time.process_time() + source_cpu() - cpu))


def raw_pass(
    connector: Connector,
    credentials: dict[str, str],
    entity: Entity = ORDERS,
    source_cpu: Callable[[], float] = _no_source_cpu,
) -> Pass:
    """Every record of `entity` through `list_changes` alone."""
    with connector.session(credentials, options=OPTIONS) as session, timed(source_cpu) as spent:
        count = sum(len(page) for page in session.list_changes(entity, None, page_size=PAGE_SIZE))
    return Pass(count, *spent)


@contextmanager
def engine(data: Path) -> Iterator[Container]:
    settings = Settings(
        data_dir=data,
        log_level="WARNING",
        queue_immediate=True,
        allow_private_urls=True,
        sync_page_size=PAGE_SIZE,
    )  # type: ignore[call-arg]
    container = bootstrap(settings)
    try:
        yield container
    finally:
        container.close()


def sync_pass(
    system: str,
    credentials: dict[str, str],
    data: Path,
    entity: Entity = ORDERS,
    source_cpu: Callable[[], float] = _no_source_cpu,
) -> Pass:
    """An initial sync of every record of `entity` into a fresh store (records: those
    created)."""
    from ironbridge.accounts import create_account

    with engine(data) as container:
        with container.uow() as uow:
            account = create_account(uow, "Bench")
        with container.uow() as uow:
            view, _ = connect(
                uow,
                container.cipher,
                container.registry,
                account.id,
                ConnectionCreate(
                    system=system,
                    end_customer_id="bench",
                    end_customer_name="Bench",
                    credentials=credentials,
                    settings=ConnectionSettings(history_days=None, entities=[entity]),  # type: ignore[call-arg]
                ),
                options=container.session_options,
            )
        with timed(source_cpu) as spent:
            (queued,) = container.worker.start_sync(view.id, [entity], trigger="initial")
        with container.uow(readonly=True) as uow:
            run = SyncRepository(uow.connection, view.id).run(queued.id)
        if run is None or run.status != "succeeded":
            raise RuntimeError(f"{system} sync did not succeed: {run}")
        return Pass(run.created, *spent)


def measure(
    system: str,
    connector: Connector,
    credentials: dict[str, str],
    data: Path,
    entity: Entity = ORDERS,
    *,
    rounds: int = ROUNDS,
    source_cpu: Callable[[], float] | None = None,
) -> Result:
    """A warm-up raw pass, then `rounds` rounds of a raw and a sync pass back to back;
    `source_cpu` reads the emulated source's CPU seconds (None: a source whose CPU is not
    counted, such as trytond)."""
    cpu = source_cpu or _no_source_cpu
    records = raw_pass(connector, credentials, entity, cpu).records
    raws: list[Pass] = []
    syncs: list[Pass] = []
    for round_ in range(max(1, rounds)):
        raws.append(raw_pass(connector, credentials, entity, cpu))
        syncs.append(sync_pass(system, credentials, data / f"round-{round_}", entity, cpu))
        if not syncs[-1].records == raws[-1].records == records:
            raise RuntimeError(
                f"{system}: the sync stored {syncs[-1].records} records, the source listed "
                f"{raws[-1].records}"
            )
    return Result(
        system,
        records,
        [p.seconds for p in raws],
        [p.seconds for p in syncs],
        [p.cpu for p in raws] if source_cpu else None,
        [p.cpu for p in syncs] if source_cpu else None,
        "POs" if entity is ORDERS else "WOs",
    )


def bench_tryton(rounds: int, bulk: int, work: Path) -> Result:
    started = time.perf_counter()
    server = start_tryton(work / "tryton", bulk=bulk)
    print(f"  trytond ready in {time.perf_counter() - started:.1f} s", flush=True)
    try:
        return measure(
            "tryton", tryton_connector, server.admin, work / "tryton-store", rounds=rounds,
        )  # fmt: skip
    finally:
        stop_tryton(work / "tryton")


# Each emulated source: a context manager serving it, yielding the connector's credentials.


@contextmanager
def sap_source(orders: int) -> Iterator[dict[str, str]]:
    with running_emulator(emulator=SapS4HanaEmulator(purchase_orders=orders)) as sap:
        yield {"base_url": sap.base_url, "username": sap.username, "password": sap.password}


@contextmanager
def netsuite_source(orders: int) -> Iterator[dict[str, str]]:
    with netsuite.running_emulator(emulator=netsuite.NetSuiteEmulator(orders=orders)) as account:
        yield {**account.tba, "auth_method": "oauth1_hmac_sha256", "base_url": account.base_url}


@contextmanager
def bc_source(orders: int) -> Iterator[dict[str, str]]:
    state = bc_emulator.BusinessCentralEmulator(purchase_orders=orders)
    with bc_emulator.running_emulator(emulator=state) as bc:
        yield bc.credentials()


@contextmanager
def maximo_source(orders: int) -> Iterator[dict[str, str]]:
    with maximo.running_emulator(emulator=maximo.MaximoEmulator(work_orders=orders)) as instance:
        yield {"host": instance.base_url, "api_key": instance.password, "sites": "BEDFORD,NASHUA"}


@contextmanager
def odoo_source(orders: int, version: int) -> Iterator[dict[str, str]]:
    with odoo.running_emulator(emulator=odoo.OdooEmulator(version=version, orders=orders)) as s:
        yield s.credentials(companies="1,2")


SOURCES: dict[str, Callable[..., AbstractContextManager[dict[str, str]]]] = {
    "sap": sap_source,
    "netsuite": netsuite_source,
    "bc": bc_source,
    "maximo": maximo_source,
    "odoo": odoo_source,
}


def _serve(name: str, args: tuple[int, ...], pipe: Connection) -> None:
    """A source process: serve the emulator, answer CPU readings until told to stop."""
    configure_logging("WARNING")
    with SOURCES[name](*args) as credentials:
        pipe.send(credentials)
        while pipe.recv() == "cpu":
            pipe.send(time.process_time())


@contextmanager
def source(name: str, *args: int, in_process: bool) -> Iterator[Source]:
    """The emulator `name` serving, in this process or in a process of its own."""
    started = time.perf_counter()
    if in_process:
        with SOURCES[name](*args) as credentials:
            print(f"  emulator ready in {time.perf_counter() - started:.1f} s", flush=True)
            yield Source(credentials, lambda: 0.0)
        return
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    process = spawn.Process(target=_serve, args=(name, args, theirs), daemon=True)
    process.start()
    try:
        credentials = ours.recv()
        print(f"  emulator process ready in {time.perf_counter() - started:.1f} s", flush=True)

        def cpu() -> float:
            ours.send("cpu")
            return float(ours.recv())

        yield Source(credentials, cpu)
    finally:
        if process.is_alive():
            ours.send("stop")
        process.join(30)
        if process.is_alive():
            process.kill()


def bench_emulated(
    name: str, system: str, connector: Connector, rounds: int, work: Path, *args: int,
    in_process: bool, entity: Entity = ORDERS,
) -> Result:  # fmt: skip
    with source(name, *args, in_process=in_process) as served:
        return measure(
            system,
            connector,
            served.credentials,
            work / f"{name}{''.join(map(str, args))}-store",
            entity,
            rounds=rounds,
            source_cpu=served.cpu,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("tryton", "sap", "netsuite", "bc", "maximo", "odoo"))
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="raw and sync pass pairs")
    parser.add_argument("--tryton-bulk", type=int, default=2000, help="extra draft purchases")
    parser.add_argument("--sap-orders", type=int, default=20_000, help="emulated purchase orders")
    parser.add_argument("--netsuite-orders", type=int, default=5_000, help="emulated orders")
    parser.add_argument("--bc-orders", type=int, default=5_000, help="Business Central orders")
    parser.add_argument("--maximo-orders", type=int, default=5_000, help="Maximo work orders")
    parser.add_argument("--odoo-orders", type=int, default=5_000, help="Odoo orders per version")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="serve the emulators in this process (sharing its CPU) instead of their own",
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    rounds, inside = args.rounds, args.in_process

    def emulated(
        name: str, system: str, connector: Connector, *counts: int
    ) -> Callable[[Path], Result]:
        entity = Entity.WORK_ORDERS if name == "maximo" else ORDERS
        return lambda work: bench_emulated(
            name, system, connector, rounds, work, *counts, in_process=inside, entity=entity
        )

    runs: list[tuple[str, Callable[[Path], Result]]] = [
        ("tryton", lambda work: bench_tryton(rounds, args.tryton_bulk, work)),
        ("sap", emulated("sap", "sap_s4hana", sap_connector, args.sap_orders)),
        ("netsuite", emulated("netsuite", "netsuite", netsuite_connector, args.netsuite_orders)),
        ("bc", emulated("bc", "business_central", bc_connector, args.bc_orders)),
        ("maximo", emulated("maximo", "maximo", maximo_connector, args.maximo_orders)),
        ("odoo", emulated("odoo", "odoo", odoo_connector, args.odoo_orders, 18)),
        ("odoo", emulated("odoo", "odoo", odoo_connector, args.odoo_orders, 19)),
    ]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="ib-connectors-bench-") as folder:
        for name, run in runs:
            if args.only not in (None, name):
                continue
            print(f"{name}:", flush=True)
            result = run(Path(folder))
            print(f"  {result.line()}", flush=True)
            results.append(result)
    print(
        "\ninitial sync, best records/s of the rounds (ratio = best sync / best raw "
        "list_changes; cpu = raw / sync CPU seconds; beside them the rounds' own ratios)"
    )
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
