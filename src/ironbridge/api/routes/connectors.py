"""Management API: the connector catalog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import AdminPrincipal, ContainerDep

router = APIRouter(prefix="/v1", tags=["connectors"])


class ConnectorCatalog(BaseModel):
    data: list[dict[str, Any]]


@router.get(
    "/connectors",
    response_model=ConnectorCatalog,
    summary="Systems you can connect: auth fields, setup guide, capability matrix",
)
def list_connectors(principal: AdminPrincipal, container: ContainerDep) -> ConnectorCatalog:
    return ConnectorCatalog(data=[c.spec.to_dict() for c in container.registry.all()])
