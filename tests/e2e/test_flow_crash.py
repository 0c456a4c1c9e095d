"""A flow run survives a SIGKILL of its worker: after a restart it resumes from the last
completed step, and no step's effect happens twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select

from ironbridge.bootstrap import bootstrap
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.flows import FlowIn, create_flow, new_run
from ironbridge.settings import Settings
from ironbridge.store.flows import FlowRepository, RunRepository
from ironbridge.store.tables import events, idempotency_keys

from ..conftest import new_account
from ..waiting import wait_for

FLOW = {
    "name": "Crash-safe",
    "trigger": {"type": "manual"},
    "connections": {"all": True},
    "steps": [
        {"id": "before", "type": "emit", "name": "before"},
        {
            "id": "create_wo",
            "type": "write",
            "entity": "work-orders",
            "operation": "create",
            "body": "{title: 'Inspect pump', priority: 'high'}",
        },
        {"id": "pause", "type": "wait", "seconds": 4},
        {"id": "after", "type": "emit", "name": "after", "data": "steps.create_wo"},
    ],
}


def test_a_killed_worker_resumes_the_run_from_its_last_completed_step(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        log_level="WARNING",
        queue_name=f"ib-test-{uuid.uuid4().hex[:8]}",
    )
    container = bootstrap(settings)
    account = new_account(container)
    with container.uow() as uow:
        connection, _ = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(system="sandbox", end_customer_id="c", end_customer_name="C"),
            options=container.session_options,
        )
    with container.uow() as uow:
        view = create_flow(uow, container.cipher, account.id, FlowIn.model_validate(FLOW))
    with container.uow() as uow:
        flow = FlowRepository(uow.connection, account.id).get(view.id)
        assert flow is not None
        run_id = new_run(uow, flow, connection_id=connection.id, trigger={"type": "manual"})
        uow.commit()
    assert run_id is not None
    container.worker.flows.submit([run_id])  # queued for a worker process

    def step_status(step_id: str) -> str | None:
        with container.uow(readonly=True) as uow:
            row = RunRepository(uow.connection, None).step(run_id, step_id)
        return row.status if row else None

    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(settings.data_dir),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
        "IRONBRIDGE_QUEUE_NAME": settings.queue_name,
    }
    command = [sys.executable, "-m", "ironbridge", "worker", "--threads", "2"]
    first = subprocess.Popen(command, env=env)
    try:
        wait_for(lambda: step_status("pause") == "running")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert step_status("after") is None
    second = subprocess.Popen(command, env=env)
    try:
        wait_for(lambda: container.worker.flows.wait(run_id, timeout=0.1) == "succeeded")
    finally:
        second.terminate()
        second.wait(timeout=30)
    with container.uow(readonly=True) as uow:
        steps = {s.step_id: s for s in RunRepository(uow.connection, None).steps(run_id)}
        counts = dict(
            uow.connection.execute(
                select(events.c.type, func.count())
                .where(events.c.type.like("flow.%"))
                .group_by(events.c.type)
            ).all()
        )
        keys = uow.connection.execute(
            select(func.count()).where(idempotency_keys.c.key == f"flow:{run_id}:create_wo")
        ).scalar()
    assert counts == {"flow.before": 1, "flow.after": 1}
    assert keys == 1
    assert steps["before"].attempts == 1 and steps["create_wo"].attempts == 1
    assert steps["after"].output["data"]["payload"]["title"] == "Inspect pump"
    container.close()
