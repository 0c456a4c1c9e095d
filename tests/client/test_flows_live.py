"""The SDK's flow operations against a running ironbridge: define, version, test, trigger with
the flow's own secret, read runs and retry a failed one."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ironbridge.client import AuthenticationFailed, Client, NotFound, models

from ..integration.flows.conftest import LARGE_PO
from .conftest import Served


def _finished(admin: Client, flow_id: str, run_id: str) -> models.RunView:
    deadline = time.monotonic() + 30
    while (run := admin.flows.run(flow_id, run_id)).status not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, f"run {run_id} is still {run.status}"
        time.sleep(0.05)
    return run


def test_a_flow_is_defined_versioned_tested_and_deleted(admin: Client) -> None:
    schema = admin.flows.schema()
    assert "steps" in schema["properties"]
    flow = admin.flows.create(LARGE_PO)
    assert flow.version == 1 and admin.flows.get(flow.id).name == LARGE_PO["name"]
    changed: list[dict[str, Any]] = [dict(step) for step in LARGE_PO["steps"]]
    changed[0]["expression"] = "trigger.record.status == 'approved'"
    assert admin.flows.update(flow.id, steps=changed).version == 2
    assert sorted(v.version for v in admin.flows.versions(flow.id).data) == [1, 2]
    assert flow.id in {f.id for f in admin.flows.list(limit=1)}
    assert admin.flows.page(limit=1).data

    record = {"id": "po_1", "number": "PO-1", "status": "approved", "total": "20000", "notes": ""}
    run = admin.flows.test(flow.id, trigger={"record": record})
    assert run.test is True and run.steps
    step = admin.flows.test_step(
        flow.id, "is_large", input={"trigger": {"record": {"status": "draft", "total": "1"}}}
    )
    assert step.output == {"passed": False}

    admin.flows.delete(flow.id)
    with pytest.raises(NotFound):
        admin.flows.get(flow.id)


def test_an_inbound_trigger_runs_and_a_failed_run_is_retried(admin: Client, served: Served) -> None:
    flow = admin.flows.create(
        name="ticket",
        trigger={"type": "inbound"},
        connections={"ids": [served.plant.id]},
        settings={"allowed_hosts": ["api.example.com"]},
        # A host the flow does not allow: the run fails at this step, deterministically.
        steps=[{"id": "ticket", "type": "http", "url": "http://127.0.0.1:9/tickets"}],
    )
    assert flow.trigger_secret
    with pytest.raises(AuthenticationFailed):
        admin.flows.trigger(flow.id, "not-the-secret", data={})
    triggered = admin.flows.trigger(flow.id, flow.trigger_secret, data={"asset": "P-7"})
    (run_id,) = triggered.run_ids
    failed = _finished(admin, flow.id, run_id)
    assert failed.status == "failed"
    assert [r.id for r in admin.flows.runs(flow.id, limit=1)] == [run_id]
    assert admin.flows.runs_page(flow.id).data[0].id == run_id

    retried = admin.flow_runs.retry(run_id, version="current")
    assert retried.retry_of == run_id
    assert _finished(admin, flow.id, retried.id).status == "failed"
