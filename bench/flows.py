"""Flow runs beside the same three steps called directly, on SQLite and on PostgreSQL.

The flow: a CEL condition over the trigger's record, a JMESPath map, an emit (a `flow.*` event
through the webhook pipeline). The baseline calls the same functions (`evaluate_cel`,
`evaluate_jmespath`, `record_event` in a unit of work) in a loop, without runs, steps or
checkpoints. Prints, per database:

- trigger-to-first-step latency: from the commit of a run to the start of its first step, runs
  started one at a time into an idle engine (the queue's hop, which `serve` and `worker` add
  when the run is started by another process, is not counted: the run is started in process);
- runs/s: N runs started at once, until the last is finished, beside the baseline's N
  three-step sequences per second (the ratio is flow / baseline);
- CPU ms per run, flow and baseline: this process's CPU time over the same N (the
  database server's is not in it), steadier than rates on a shared machine.

`python bench/flows.py [--runs 200] [--latency 30] [--databases sqlite,postgresql]`; each
database runs in a process of its own (DBOS is one instance per process).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from ironbridge.accounts import create_account
from ironbridge.bootstrap import bootstrap
from ironbridge.events import record_event
from ironbridge.flows import FlowIn, create_flow, evaluate_cel, evaluate_jmespath, new_run
from ironbridge.logs import configure_logging
from ironbridge.settings import Settings
from ironbridge.store.flows import FlowRepository, RunRepository

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
CONDITION = "trigger.record.status == 'approved' && double(trigger.record.total) > 10000.0"
MAP = "{po: trigger.record.id, total: trigger.record.total}"
FLOW = {
    "name": "bench",
    "trigger": {"type": "manual"},
    "connections": {"all": True},
    "steps": [
        {"id": "check", "type": "condition", "expression": CONDITION},
        {"id": "shape", "type": "map", "expression": MAP},
        {"id": "announce", "type": "emit", "name": "bench", "data": "steps.shape"},
    ],
}
RECORD = {"id": "po_1", "status": "approved", "total": "12500.00", "number": "PO-1"}


def _one_database(kind: str, runs: int, latency_runs: int) -> dict[str, Any]:
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp(prefix="ib-bench-flows-"))
    values: dict[str, Any] = {"data_dir": folder, "log_level": "WARNING", "queue_immediate": True}
    database = None
    if kind == "postgresql":
        database = f"ib_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        values["database_url"] = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{database}"
    container = bootstrap(Settings(**values))
    try:
        return _measure(container, runs, latency_runs)
    finally:
        container.close()
        if database is not None:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _measure(container: Any, runs: int, latency_runs: int) -> dict[str, Any]:
    with container.uow() as uow:
        account = create_account(uow, "bench")
        uow.commit()
    with container.uow() as uow:
        view = create_flow(uow, container.cipher, account.id, FlowIn.model_validate(FLOW))
    with container.uow(readonly=True) as uow:
        flow = FlowRepository(uow.connection, None).get_any(view.id)
    engine = container.worker.flows
    engine.enqueue = None  # start in process: the engine's cost, not the queue's
    engine.launch()

    def queue_run() -> str:
        with container.uow() as uow:
            run_id = new_run(uow, flow, connection_id=None, trigger={"record": RECORD})
            uow.commit()
        return str(run_id)

    # warm up (first workflow start, statement caches)
    for _ in range(3):
        run_id = queue_run()
        engine.submit([run_id])
        assert engine.wait(run_id, timeout=60) == "succeeded"

    latencies = []
    for _ in range(latency_runs):
        run_id = queue_run()
        engine.submit([run_id])
        assert engine.wait(run_id, timeout=60) == "succeeded"
        with container.uow(readonly=True) as uow:
            repo = RunRepository(uow.connection, None)
            run = repo.get(run_id)
            first = repo.step(run_id, "check")
        assert run is not None and first is not None and run.started_at is not None
        # Wall time from commit to the first step's start, by the database's clock of the
        # same process (both stamped with utcnow()).
        latencies.append((first.started_at - run.created_at).total_seconds() * 1000)

    ids = [queue_run() for _ in range(runs)]
    started, cpu = time.perf_counter(), time.process_time()
    engine.submit(ids)
    for run_id in ids:
        assert engine.wait(run_id, timeout=600) == "succeeded"
    flow_rate = runs / (time.perf_counter() - started)
    flow_cpu = (time.process_time() - cpu) / runs * 1000

    started, cpu = time.perf_counter(), time.process_time()
    data: dict[str, Any] = {"trigger": {"record": RECORD}, "steps": {}}
    for _ in range(runs):
        assert evaluate_cel(CONDITION, data) is True
        shaped = evaluate_jmespath(MAP, data)
        with container.uow() as uow:
            record_event(
                uow, account_id=account.id, connection_id=None, type="flow.bench", data=shaped
            )
            uow.commit()
    direct_rate = runs / (time.perf_counter() - started)
    direct_cpu = (time.process_time() - cpu) / runs * 1000
    return {
        "latency_p50_ms": statistics.median(latencies),
        "latency_p95_ms": sorted(latencies)[int(len(latencies) * 0.95) - 1],
        "flow_runs_per_s": flow_rate,
        "direct_per_s": direct_rate,
        "ratio": flow_rate / direct_rate,
        "flow_cpu_ms": flow_cpu,
        "direct_cpu_ms": direct_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--latency", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one_database(args.one, args.runs, args.latency)))
        return
    print(f"3-step flow (condition, map, emit), {args.runs} runs; baseline: the same calls")
    print(
        "database    first step p50/p95 ms   flow runs/s   direct /s   ratio"
        "   CPU ms/run flow / direct"
    )
    for kind in args.databases.split(","):
        out = (
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    kind,
                    "--runs",
                    str(args.runs),
                    "--latency",
                    str(args.latency),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(out)
        print(
            f"{kind:<11} {r['latency_p50_ms']:>8.1f} / {r['latency_p95_ms']:<8.1f}"
            f"   {r['flow_runs_per_s']:>11.1f}   {r['direct_per_s']:>9.1f}   {r['ratio']:.3f}"
            f"   {r['flow_cpu_ms']:>8.2f} / {r['direct_cpu_ms']:.2f}"
        )


if __name__ == "__main__":
    main()
