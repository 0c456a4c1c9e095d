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

Where the source is an emulator in this process (all but Tryton), each pass also counts the
process's CPU seconds (client, engine and emulator together), and `cpu` is the median over
the rounds of raw CPU over sync CPU: the engine's share of the work, which other programs on a
shared machine barely move, whereas they move wall times by half.

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
[--maximo-orders 5000] [--odoo-orders 5000]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    #: The process's CPU seconds of the same passes; None where the source runs elsewhere.
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
class Pass:
    """One timed pass: records, wall seconds and the process's CPU seconds."""

    records: int
    seconds: float
    cpu: float


@contextmanager
def timed() -> Iterator[list[float]]:
    """Wall and CPU seconds of the block, appended to the list it yields when it ends."""
    spent: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    yield spent
    spent.extend((time.perf_counter() - wall, time.process_time() - cpu))


def raw_pass(connector: Connector, credentials: dict[str, str], entity: Entity = ORDERS) -> Pass:
    """Every record of `entity` through `list_changes` alone."""
    with connector.session(credentials, options=OPTIONS) as session, timed() as spent:
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
    system: str, credentials: dict[str, str], data: Path, entity: Entity = ORDERS
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
        with timed() as spent:
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
    in_process: bool = True,
) -> Result:
    """A warm-up raw pass, then `rounds` rounds of a raw and a sync pass back to back;
    `in_process` says the source runs in this process, so CPU seconds count its work too."""
    records = raw_pass(connector, credentials, entity).records
    raws: list[Pass] = []
    syncs: list[Pass] = []
    for round_ in range(max(1, rounds)):
        raws.append(raw_pass(connector, credentials, entity))
        syncs.append(sync_pass(system, credentials, data / f"round-{round_}", entity))
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
        [p.cpu for p in raws] if in_process else None,
        [p.cpu for p in syncs] if in_process else None,
        "POs" if entity is ORDERS else "WOs",
    )


def bench_tryton(rounds: int, bulk: int, work: Path) -> Result:
    started = time.perf_counter()
    server = start_tryton(work / "tryton", bulk=bulk)
    print(f"  trytond ready in {time.perf_counter() - started:.1f} s", flush=True)
    try:
        return measure(
            "tryton", tryton_connector, server.admin, work / "tryton-store", rounds=rounds,
            in_process=False,
        )  # fmt: skip
    finally:
        stop_tryton(work / "tryton")


def bench_sap(rounds: int, orders: int, work: Path) -> Result:
    started = time.perf_counter()
    emulator = SapS4HanaEmulator(purchase_orders=orders)
    with running_emulator(emulator=emulator) as sap:
        print(f"  emulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        credentials = {"base_url": sap.base_url, "username": sap.username, "password": sap.password}
        return measure("sap_s4hana", sap_connector, credentials, work / "sap-store", rounds=rounds)


def bench_netsuite(rounds: int, orders: int, work: Path) -> Result:
    started = time.perf_counter()
    emulator = netsuite.NetSuiteEmulator(orders=orders)
    with netsuite.running_emulator(emulator=emulator) as account:
        print(f"  emulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        credentials = {**account.tba, "auth_method": "oauth1_hmac_sha256"}
        credentials["base_url"] = account.base_url
        store = work / "netsuite-store"
        return measure("netsuite", netsuite_connector, credentials, store, rounds=rounds)


def bench_bc(rounds: int, orders: int, work: Path) -> Result:
    state = bc_emulator.BusinessCentralEmulator(purchase_orders=orders)
    with bc_emulator.running_emulator(emulator=state) as bc:
        store = work / "bc-store"
        return measure("business_central", bc_connector, bc.credentials(), store, rounds=rounds)


def bench_maximo(rounds: int, orders: int, work: Path) -> Result:
    started = time.perf_counter()
    state = maximo.MaximoEmulator(work_orders=orders)
    with maximo.running_emulator(emulator=state) as instance:
        print(f"  emulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        credentials = {
            "host": instance.base_url,
            "api_key": instance.password,
            "sites": "BEDFORD,NASHUA",
        }
        return measure(
            "maximo",
            maximo_connector,
            credentials,
            work / "maximo-store",
            Entity.WORK_ORDERS,
            rounds=rounds,
        )


def bench_odoo(rounds: int, orders: int, version: int, work: Path) -> Result:
    started = time.perf_counter()
    state = odoo.OdooEmulator(version=version, orders=orders)
    with odoo.running_emulator(emulator=state) as server:
        print(f"  emulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        credentials = server.credentials(companies="1,2")
        result = measure(
            "odoo", odoo_connector, credentials, work / f"odoo{version}-store", rounds=rounds
        )
    result.system = f"odoo {version}"
    return result


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
    args = parser.parse_args()
    configure_logging("WARNING")
    runs: list[tuple[str, Callable[[Path], Result]]] = [
        ("tryton", lambda work: bench_tryton(args.rounds, args.tryton_bulk, work)),
        ("sap", lambda work: bench_sap(args.rounds, args.sap_orders, work)),
        ("netsuite", lambda work: bench_netsuite(args.rounds, args.netsuite_orders, work)),
        ("bc", lambda work: bench_bc(args.rounds, args.bc_orders, work)),
        ("maximo", lambda work: bench_maximo(args.rounds, args.maximo_orders, work)),
        ("odoo", lambda work: bench_odoo(args.rounds, args.odoo_orders, 18, work)),
        ("odoo", lambda work: bench_odoo(args.rounds, args.odoo_orders, 19, work)),
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
