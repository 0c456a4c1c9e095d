"""The demo account with a sandbox connection, made once and re-used."""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import create_account, create_admin_key
from .bootstrap import Container
from .connections import (
    ConnectionCreate,
    ConnectionStatus,
    connect,
    issue_connection_token,
    list_connections,
)

__all__ = ["DEMO_ACCOUNT_NAME", "DemoCredentials", "ensure_demo"]

DEMO_ACCOUNT_NAME = "Demo account"
_DEMO_CUSTOMER = "demo-customer"


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    account_id: str
    connection_id: str
    admin_key: str
    connection_token: str
    created: bool

    def as_dict(self, api_url: str) -> dict[str, object]:
        return {
            "api_url": api_url,
            "account_id": self.account_id,
            "connection_id": self.connection_id,
            "admin_key": self.admin_key,
            "connection_token": self.connection_token,
            "created": self.created,
        }


def ensure_demo(container: Container) -> DemoCredentials:
    """Create the demo account and its sandbox connection unless they exist.

    Tokens are stored only as hashes, so each call issues a fresh admin key and connection
    token; earlier ones stay valid.
    """
    created = False
    with container.uow() as uow:
        account = uow.accounts.find_by_name(DEMO_ACCOUNT_NAME)
        if account is None:
            account = create_account(uow, DEMO_ACCOUNT_NAME)
            created = True
        existing, _ = list_connections(
            uow, account.id, system="sandbox", end_customer_id=_DEMO_CUSTOMER, limit=50
        )
        live = [c for c in existing if c.status != ConnectionStatus.DISCONNECTED]
        if live:
            connection_id = live[0].id
            token = issue_connection_token(uow, account.id, connection_id).token
        else:
            view, issued = connect(
                uow,
                container.cipher,
                container.registry,
                account.id,
                ConnectionCreate(
                    system="sandbox",
                    end_customer_id=_DEMO_CUSTOMER,
                    end_customer_name="Acme Manufacturing (sandbox)",
                    metadata={"source": "demo"},
                ),
                options=container.session_options,
            )
            connection_id, token = view.id, issued.token
            created = True
            container.worker.start_sync(connection_id, trigger="initial")
        admin_key = create_admin_key(uow, account.id, label="demo").token
    return DemoCredentials(account.id, connection_id, admin_key, token, created)
