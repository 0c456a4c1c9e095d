"""Unified API: the connection a connection token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from ...connections import load_connection
from ...health import ConnectionDetail, connection_details
from ..deps import ConnectionPrincipal, ContainerDep

router = APIRouter(prefix="/v1", tags=["unified"])


@router.get(
    "/connection",
    response_model=ConnectionDetail,
    summary="This connection: status, health, last check, last error, last successful sync",
)
def current_connection(principal: ConnectionPrincipal, container: ContainerDep) -> ConnectionDetail:
    assert principal.connection_id is not None  # connection tokens always name one
    with container.uow(readonly=True) as uow:
        row = load_connection(uow, principal.account_id, principal.connection_id)
        return connection_details(uow, [row])[0]
