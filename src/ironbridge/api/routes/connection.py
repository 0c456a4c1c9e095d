"""Unified API: the connection a connection token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from ...connections import ConnectionView, load_connection
from ..deps import ConnectionPrincipal, ContainerDep
from ..errors import ERROR_RESPONSES

router = APIRouter(prefix="/v1", tags=["unified"], responses=ERROR_RESPONSES)


@router.get(
    "/connection",
    response_model=ConnectionView,
    summary="This connection: system, status, health, last check",
)
def current_connection(principal: ConnectionPrincipal, container: ContainerDep) -> ConnectionView:
    assert principal.connection_id is not None  # connection tokens always name one
    with container.uow(readonly=True) as uow:
        row = load_connection(uow, principal.account_id, principal.connection_id)
    return ConnectionView.from_row(row)
