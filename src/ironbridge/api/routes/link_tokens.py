"""Management API: link tokens for the connect flow, and the exchange of its public tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from ...connections import ConnectionView, LinkTokenCreate, management
from ..deps import AdminPrincipal, ContainerDep
from ..openapi import error_responses

router = APIRouter(prefix="/v1/link-tokens", tags=["connect flow"])

#: Both name a connection: a reconnect's `connection_id`, the connection a public token made.
_CONNECTION_ERRORS = error_responses(
    403,
    404,
    410,
    _403="The connection belongs to another account (`PERMISSION_DENIED`).",
    _404="No such connection (`NOT_FOUND`).",
    _410="The connection was disconnected (`CONNECTION_DISCONNECTED`).",
)


class LinkTokenCreated(BaseModel):
    link_token: str = Field(description="The link token (`ib_link_…`). Shown only this once.")
    connect_url: str = Field(
        description=(
            "Open this URL full-page or with connect.js in an iframe; it carries the link token."
        )
    )
    expires_at: datetime


class PublicTokenExchange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_token: str = Field(
        min_length=1,
        max_length=200,
        description="The `ib_pub_…` token the connect flow handed to your page.",
    )


class PublicTokenExchanged(BaseModel):
    connection_id: str
    connection_token: str = Field(
        description="The connection token (`ib_conn_…`). Shown only this once; store it."
    )
    connection: ConnectionView


@router.post(
    "",
    status_code=201,
    response_model=LinkTokenCreated,
    responses=_CONNECTION_ERRORS,
    summary="Create a link token and connect URL for one end customer",
)
def create(
    principal: AdminPrincipal, container: ContainerDep, body: Annotated[LinkTokenCreate, Body()]
) -> LinkTokenCreated:
    issued, connect_url = management.create_link_token(
        container.uow,
        container.registry,
        principal.account_id,
        body,
        base_url=container.settings.base_url,
    )
    assert issued.expires_at is not None  # link tokens always expire
    return LinkTokenCreated(
        link_token=issued.token, connect_url=connect_url, expires_at=issued.expires_at
    )


@router.post(
    "/exchange",
    response_model=PublicTokenExchanged,
    responses=_CONNECTION_ERRORS,
    summary="Exchange the connect flow's public token for the connection token (once)",
)
def exchange(
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[PublicTokenExchange, Body()],
) -> PublicTokenExchanged:
    view, issued = management.exchange_public_token(
        container.uow, principal.account_id, body.public_token
    )
    return PublicTokenExchanged(
        connection_id=view.id, connection_token=issued.token, connection=view
    )
