"""Unified API: the connection a connection token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from ...health import ConnectionDetail, connection_detail
from ..deps import ConnectionPrincipal, ContainerDep

router = APIRouter(prefix="/v1", tags=["unified"])


@router.get(
    "/connection",
    response_model=ConnectionDetail,
    summary="This connection: status, health, last check, last error, last successful sync",
)
def current_connection(principal: ConnectionPrincipal, container: ContainerDep) -> ConnectionDetail:
    assert principal.connection_id is not None  # connection tokens always name one
    return connection_detail(container.uow, principal.account_id, principal.connection_id)
