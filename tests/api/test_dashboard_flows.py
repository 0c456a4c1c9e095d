"""The dashboard's flows pages over HTTP: the list, a flow's versions and runs, a run's steps,
and the actions (enable or disable, test run, retry a failed run) taking effect through the
API, for the signed-in account only."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container

from ..conftest import AccountFixture, ConnectionFixture, new_account
from .test_dashboard import sign_in

_STEPS: list[dict[str, Any]] = [
    {"id": "first", "type": "emit", "name": "first"},
    {"id": "check", "type": "condition", "expression": "trigger.missing.value > 1"},
    {"id": "done", "type": "map", "expression": "steps.first.type"},
]


def _flow(client: TestClient, account: AccountFixture, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Check and emit",
        "trigger": {"type": "manual"},
        "connections": {"all": True},
        "steps": _STEPS,
        "sample": {"type": "manual"},
        **extra,
    }
    answer = client.post("/v1/flows", json=body, headers=account.headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def _failed_run(
    client: TestClient, container: Container, account: AccountFixture, flow_id: str
) -> str:
    started = client.post(f"/v1/flows/{flow_id}/test", json={}, headers=account.headers)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "failed"
    run_id: str = started.json()["id"]
    return run_id


def test_the_flows_page_lists_the_accounts_flows_with_their_trigger_and_state(
    client: TestClient, account: AccountFixture
) -> None:
    flow = _flow(client, account)
    scheduled = _flow(
        client, account, name="Nightly", trigger={"type": "schedule", "cron": "0 2 * * *"}
    )
    sign_in(client, account.admin_key)
    page = client.get("/dashboard/flows")
    assert page.status_code == 200
    assert f'href="/dashboard/flows/{flow["id"]}"' in page.text
    assert "Check and emit" in page.text and "Nightly" in page.text
    assert "0 2 * * *" in page.text
    assert 'aria-current="page">Flows' in page.text
    detail = client.get(f"/dashboard/flows/{scheduled['id']}").text
    assert "Version 1" in detail and "(current)" in detail


def test_a_flow_is_disabled_and_enabled_from_its_page(
    client: TestClient, account: AccountFixture
) -> None:
    flow = _flow(client, account)
    csrf = sign_in(client, account.admin_key)
    answer = client.post(
        f"/dashboard/flows/{flow['id']}/enabled", data={"csrf": csrf, "enabled": "false"}
    )
    assert "disabled: no new runs start" in answer.text
    assert answer.headers["HX-Push-Url"] == f"/dashboard/flows/{flow['id']}"
    view = client.get(f"/v1/flows/{flow['id']}", headers=account.headers).json()
    assert view["enabled"] is False and view["version"] == 1
    client.post(f"/dashboard/flows/{flow['id']}/enabled", data={"csrf": csrf, "enabled": "true"})
    assert client.get(f"/v1/flows/{flow['id']}", headers=account.headers).json()["enabled"]
    refused = client.post(
        f"/dashboard/flows/{flow['id']}/enabled", data={"csrf": csrf, "enabled": "maybe"}
    )
    assert "true or false" in refused.text


def test_a_test_run_shows_each_step_and_a_failed_run_is_retried_with_the_current_version(
    client: TestClient,
    container: Container,
    account: AccountFixture,
    sandbox: ConnectionFixture,
) -> None:
    flow = _flow(client, account)
    csrf = sign_in(client, account.admin_key)
    tested = client.post(f"/dashboard/flows/{flow['id']}/test", data={"csrf": csrf})
    assert tested.status_code == 200
    run_id = re.search(r"Test run (frun_\w+) failed", tested.text)
    assert run_id, tested.text
    assert 'id="steps-table"' in tested.text and "VALIDATION_FAILED" in tested.text
    # The fix: a condition that holds. The retry runs from the failed step with it.
    fixed = [dict(_STEPS[0]), {**_STEPS[1], "expression": "true"}, dict(_STEPS[2])]
    client.patch(f"/v1/flows/{flow['id']}", json={"steps": fixed}, headers=account.headers)
    retried = client.post(
        f"/dashboard/flow-runs/{run_id.group(1)}/retry",
        data={"csrf": csrf, "version": "current"},
    )
    new_id = re.search(r"Retry started as run (frun_\w+) \(current version\)", retried.text)
    assert new_id, retried.text
    assert container.worker.flows.wait(new_id.group(1)) == "succeeded"
    run = client.get(f"/v1/flows/{flow['id']}/runs/{new_id.group(1)}", headers=account.headers)
    assert run.json()["retry_of"] == run_id.group(1) and run.json()["version"] == 2
    page = client.get(f"/dashboard/flow-runs/{new_id.group(1)}").text
    assert "Succeeded" in page and f'href="/dashboard/flow-runs/{run_id.group(1)}"' in page
    runs = client.get(f"/dashboard/flows/{flow['id']}").text
    assert run_id.group(1) in runs and new_id.group(1) in runs
    # A run that did not fail has no retry, and asking for one is answered, not obeyed.
    again = client.post(f"/dashboard/flow-runs/{new_id.group(1)}/retry", data={"csrf": csrf})
    assert "Problem:" in again.text
    bad = client.post(
        f"/dashboard/flow-runs/{run_id.group(1)}/retry", data={"csrf": csrf, "version": "newest"}
    )
    assert "original or current" in bad.text


def test_a_second_account_sees_and_changes_none_of_the_first_accounts_flows(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow = _flow(client, account)
    run_id = _failed_run(client, container, account, flow["id"])
    other = new_account(container, "Second Integrations")
    csrf = sign_in(client, other.admin_key)
    listed = client.get("/dashboard/flows").text
    assert flow["id"] not in listed and "Check and emit" not in listed
    for path in (f"/dashboard/flows/{flow['id']}", f"/dashboard/flow-runs/{run_id}"):
        answer = client.get(path)
        assert answer.status_code == 404 and flow["id"] not in answer.text
    actions = [
        (f"/dashboard/flows/{flow['id']}/enabled", {"enabled": "false"}),
        (f"/dashboard/flows/{flow['id']}/test", {}),
        (f"/dashboard/flow-runs/{run_id}/retry", {"version": "original"}),
    ]
    for path, data in actions:
        answer = client.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 404, (path, answer.status_code)
    view = client.get(f"/v1/flows/{flow['id']}", headers=account.headers).json()
    assert view["enabled"] is True
    runs = client.get(f"/v1/flows/{flow['id']}/runs", headers=account.headers).json()["data"]
    assert [r["id"] for r in runs] == [run_id]
