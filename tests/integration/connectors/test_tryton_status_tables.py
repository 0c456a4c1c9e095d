"""Every code a real Tryton can send in a mapped field is in the connector's status tables.

Tryton declares its selections (`fields_get`), so the tables are checked against what the
server itself says, not against a copy of its source: a Tryton release that adds a state fails
here before it fails a sync. Read only, on the session's shared database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ironbridge.connectors import SessionOptions
from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import Code
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.tryton.maps import (
    FIELD_MAP,
    STATUS_TABLES,
    WORK_PRODUCTION_STATUS,
    WORK_STATUS,
)
from ironbridge.connectors.tryton.resources import RESOURCES
from ironbridge.model import Entity

from .conftest import TrytonServer


@pytest.fixture(scope="module")
def client(tryton_server: TrytonServer) -> Iterator[ModelClient]:
    credentials = tryton_server.admin
    opened = ModelClient(
        credentials["url"],
        credentials["database"],
        credentials["username"],
        credentials["password"],
        TRYTON_MODELS,
        SessionOptions(allow_private_urls=True),
    )
    yield opened
    opened.close()


def sendable(client: ModelClient, model: str, field: str) -> set[Any]:
    """The values Tryton can hold in `field` of `model`: its selection, or both booleans."""
    (definition,) = client.fields_get(model, [field]).values()
    if definition["type"] == "boolean":
        return {True, False}
    assert definition["type"] == "selection", definition
    return {code for code, _ in definition["selection"]}


@pytest.mark.parametrize(
    "declared",
    [declared for declared in STATUS_TABLES if declared.closed],
    ids=lambda declared: f"{declared.entity.value} {declared.source}",
)
def test_every_code_tryton_can_send_is_in_its_table(
    client: ModelClient, declared: StatusTable
) -> None:
    resource = RESOURCES[declared.entity]
    codes = sendable(client, resource.model, declared.source)
    # A resource that reads only some codes (physical location types) needs only those.
    for name, operator, allowed in resource.domain:
        if name == declared.source and operator == "in":
            codes &= set(allowed)
    assert codes == set(declared.table)


def test_every_production_state_either_decides_a_works_status_or_leaves_it_to_the_work(
    client: ModelClient,
) -> None:
    status = FIELD_MAP[Entity.WORK_ORDERS]["status"]
    assert isinstance(status, Code)
    assert sendable(client, "production", "state") == set(WORK_PRODUCTION_STATUS) | set(
        status.refine
    )
    assert all(inner.table is WORK_STATUS for inner in status.refine.values())
